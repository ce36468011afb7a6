// Small statistics helpers shared by the figures.

/** The median of a list of numbers (the lower middle for an even count). */
export const median = (values) =>
  values.length === 0
    ? Number.NaN
    : [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** The p-th percentile (0–100) by nearest rank; NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? sorted[0];
}

/** Mebibytes from bytes, two decimals. */
export const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 100) / 100;
