// Number formats of the report: rates as 3.81M / 812k, ratios as 0.93×, milliseconds with two
// decimals (two significant digits below 0.1 ms), MiB / KiB with one decimal.

const finite = (value) => typeof value === 'number' && Number.isFinite(value);

/** Three significant digits, never in exponent form. */
function threeDigits(value) {
  if (value >= 100) return String(Math.round(value));
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** 3810000 → `3.81M`, 812345 → `812k`, 4520 → `4.52k`, 950 → `950`. */
export function formatRate(value) {
  if (!finite(value)) return '—';
  const abs = Math.abs(value);
  // Pick the unit after rounding, so that 999,600 reads 1.00M rather than 1000k.
  if (abs >= 999_500) return `${threeDigits(value / 1e6)}M`;
  if (abs >= 999.5) return `${threeDigits(value / 1e3)}k`;
  return String(Math.round(value));
}

/** Axis ticks: like formatRate without padding zeros: 5000000 → `5M`, 2500000 → `2.5M`. */
export function formatRateTick(value) {
  if (!finite(value)) return '';
  const abs = Math.abs(value);
  if (abs >= 999_500) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 999.5) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/** 0.934 → `0.93×`. */
export function formatRatio(value) {
  if (!finite(value)) return '—';
  return `${value >= 100 ? Math.round(value) : value.toFixed(2)}×`;
}

/**
 * Milliseconds without the unit: 12.345 → `12.35`, 0.43 → `0.43`, 0.0123 → `0.012` (two
 * significant digits below 0.1 ms), 1432.4 → `1,432` (no decimals from 100 ms up).
 */
export function formatMs(value) {
  if (!finite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (value !== 0 && abs < 0.1) return String(Number(value.toPrecision(2)));
  return value.toFixed(2);
}

/** One decimal: MiB and KiB figures. */
export function formatOne(value) {
  return finite(value) ? value.toFixed(1) : '—';
}

/** 10000 → `10,000`. */
export function formatInt(value) {
  return finite(value) ? Math.round(value).toLocaleString('en-US') : '—';
}

/** An error message on one line, short enough for a table cell. */
export function errorText(error, max = 160) {
  const line = String(error).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
