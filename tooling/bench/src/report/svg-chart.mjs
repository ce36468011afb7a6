// Hand-written SVG charts for the benchmark report, no dependencies: grouped bars and lines
// on a linear or log axis, with title, axis labels, legend and per-mark tooltips (<title>).
// Made for 800 px wide, readable in GitHub's light and dark themes (own white background).

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const INK = '#1f2328';
const MUTED = '#59636e';
const GRID = '#d8dee4';
/** Okabe–Ito colours, distinguishable with colour-blindness. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#CC79A7',
  '#56B4E9',
  '#000000',
];

/** Escapes text for SVG content and attributes. */
export function escapeXml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const usable = (value) => typeof value === 'number' && Number.isFinite(value);
const px = (value) => Math.round(value * 10) / 10;
/** Rough width of `text` at `size` px in a sans-serif face. */
const textWidth = (text, size) => String(text).length * size * 0.58;

function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough));
  const unit = rough / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

/**
 * A value → pixel mapping on [lo px, hi px], with tick values.
 * @param {'linear'|'log'} kind
 * @param {number[]} values data values (non-finite and, on log, non-positive ones ignored)
 * @param {[number, number]} range pixel positions of the domain's low and high end
 * @param {{ zero?: boolean, nice?: boolean }} [options] zero: a linear domain starts at 0;
 *   nice: false makes the domain exactly the data's extent (ticks are then the caller's)
 */
export function makeScale(kind, values, range, { zero = true, nice = true } = {}) {
  const data = values.filter((v) => usable(v) && (kind !== 'log' || v > 0));
  const [r0, r1] = range;
  if (kind === 'log') {
    const min = data.length ? Math.min(...data) : 1;
    const max = data.length ? Math.max(...data) : 10;
    // A bar at the smallest value must still show: start a decade lower when it is a power of 10.
    let lo = Math.floor(Math.log10(min));
    if (lo === Math.log10(min)) lo -= 1;
    let hi = Math.ceil(Math.log10(max));
    if (hi === lo) hi = lo + 1;
    const ticks = [];
    for (let k = lo; k <= hi; k++) {
      ticks.push(10 ** k);
      if (hi - lo <= 2 && k < hi) ticks.push(2 * 10 ** k, 5 * 10 ** k);
    }
    const [from, to] = nice || min === max ? [lo, hi] : [Math.log10(min), Math.log10(max)];
    const map = (v) => r0 + ((Math.log10(v) - from) / (to - from)) * (r1 - r0);
    return { kind, min: 10 ** from, max: 10 ** to, ticks, map };
  }
  let min = data.length ? Math.min(...data) : 0;
  let max = data.length ? Math.max(...data) : 1;
  if (zero) min = Math.min(0, min);
  if (max === min) max = min + 1;
  if (!nice) {
    const map = (v) => r0 + ((v - min) / (max - min)) * (r1 - r0);
    return { kind, min, max, ticks: [min, max], map };
  }
  const step = niceStep((max - min) / 5);
  min = Math.floor(min / step) * step;
  max = Math.ceil(max / step) * step;
  const ticks = [];
  for (let t = min, i = 0; t <= max + step / 2 && i < 50; t += step, i++) ticks.push(t);
  const map = (v) => r0 + ((v - min) / (max - min)) * (r1 - r0);
  return { kind, min, max, ticks, map };
}

/** Lays out legend entries in rows; returns the SVG and the height used. */
function legend(series, x, y, maxWidth) {
  const parts = [];
  let cx = x;
  let cy = y;
  for (const s of series) {
    const w = 16 + textWidth(s.name, 12) + 18;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 20;
    }
    parts.push(
      `<g class="legend-item"><rect x="${px(cx)}" y="${px(cy)}" width="12" height="12" rx="2" fill="${s.color}"/>` +
        `<text x="${px(cx + 16)}" y="${px(cy + 10.5)}" font-size="12" fill="${INK}">${escapeXml(s.name)}</text></g>`,
    );
    cx += w;
  }
  return { svg: parts.join('\n'), height: cy - y + 20 };
}

function frame({ width, height, title, subtitle, body }) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="${escapeXml(FONT)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="28" font-size="17" font-weight="600" fill="${INK}">${escapeXml(title)}</text>`,
    subtitle
      ? `<text x="20" y="48" font-size="12" fill="${MUTED}">${escapeXml(subtitle)}</text>`
      : '',
    body,
    '</svg>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function yAxis(scale, { left, right, format, label, top, bottom }) {
  // Tick values are round: show them without padding zeros (5M, not 5.00M).
  const parts = [];
  for (const t of scale.ticks) {
    const y = px(scale.map(t));
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="${GRID}" stroke-width="1"/>`,
      `<text x="${left - 8}" y="${px(y + 4)}" font-size="11" text-anchor="end" fill="${MUTED}">${escapeXml(format(t))}</text>`,
    );
  }
  if (label) {
    const cy = px((top + bottom) / 2);
    parts.push(
      `<text x="16" y="${cy}" font-size="12" fill="${INK}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="${MUTED}" stroke-width="1"/>`,
  );
  return parts.join('\n');
}

function withColors(series) {
  return series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length] }));
}

/**
 * Grouped bar chart: one group per category on the x axis, one bar per series in each.
 * A missing value (null, NaN, or ≤ 0 on a log axis) is marked `n/a` instead of a bar.
 * @param {{ title: string, subtitle?: string, groups: string[],
 *   series: { name: string, values: (number|null|undefined)[], color?: string }[],
 *   yLabel?: string, xLabel?: string, scale?: 'linear'|'log', width?: number, height?: number,
 *   format?: (value: number) => string, tickFormat?: (value: number) => string,
 *   valueLabels?: boolean }} chart
 * @returns {string} an SVG document
 */
export function barChart({
  title,
  subtitle,
  groups,
  series,
  yLabel,
  xLabel,
  scale: kind = 'linear',
  width = 800,
  height = 460,
  format = (v) => String(v),
  tickFormat = format,
  valueLabels = true,
}) {
  const colored = withColors(series);
  const left = 78;
  const right = width - 20;
  const top0 = subtitle ? 62 : 44;
  const key = legend(colored, left, top0, right - left);
  const top = top0 + key.height + 14;
  const bottom = height - (xLabel ? 54 : 36);
  const scale = makeScale(
    kind,
    colored.flatMap((s) => s.values),
    [bottom, top],
  );
  const parts = [
    key.svg,
    yAxis(scale, { left, right, format: tickFormat, label: yLabel, top, bottom }),
  ];

  const groupWidth = (right - left) / Math.max(1, groups.length);
  const inner = groupWidth * 0.82;
  const barWidth = Math.max(2, inner / Math.max(1, colored.length) - 2);
  groups.forEach((group, g) => {
    const gx = left + g * groupWidth + (groupWidth - inner) / 2;
    colored.forEach((s, i) => {
      const value = s.values[g];
      const x = gx + i * (barWidth + 2);
      const cx = x + barWidth / 2;
      if (!usable(value) || (kind === 'log' && value <= 0)) {
        parts.push(
          `<text class="missing" x="${px(cx + 3)}" y="${px(bottom - 4)}" font-size="10" fill="${MUTED}" transform="rotate(-90 ${px(cx + 3)} ${px(bottom - 4)})">n/a</text>`,
        );
        return;
      }
      const y = Math.min(bottom, Math.max(top, scale.map(Math.max(value, scale.min))));
      const label = format(value);
      parts.push(
        `<rect class="bar" x="${px(x)}" y="${px(y)}" width="${px(barWidth)}" height="${px(bottom - y)}" fill="${s.color}">` +
          `<title>${escapeXml(`${s.name}, ${group}: ${label}`)}</title></rect>`,
      );
      if (!valueLabels) return;
      const size = 10;
      const long = textWidth(label, size) + 6;
      if (barWidth >= long) {
        parts.push(
          `<text x="${px(cx)}" y="${px(y - 4)}" font-size="${size}" text-anchor="middle" fill="${INK}">${escapeXml(label)}</text>`,
        );
      } else if (y - top >= long) {
        // Upright above the bar.
        parts.push(
          `<text x="${px(cx + 3.5)}" y="${px(y - 4)}" font-size="${size}" fill="${INK}" transform="rotate(-90 ${px(cx + 3.5)} ${px(y - 4)})">${escapeXml(label)}</text>`,
        );
      } else if (bottom - y >= long && barWidth >= 11) {
        // Inside the top of a tall bar.
        parts.push(
          `<text x="${px(cx + 3.5)}" y="${px(y + 4)}" font-size="${size}" text-anchor="end" fill="#ffffff" transform="rotate(-90 ${px(cx + 3.5)} ${px(y + 4)})">${escapeXml(label)}</text>`,
        );
      }
    });
    parts.push(
      `<text x="${px(left + (g + 0.5) * groupWidth)}" y="${px(bottom + 18)}" font-size="12" text-anchor="middle" fill="${INK}">${escapeXml(group)}</text>`,
    );
  });
  parts.push(
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="${MUTED}" stroke-width="1"/>`,
  );
  if (xLabel)
    parts.push(
      `<text x="${px((left + right) / 2)}" y="${height - 14}" font-size="12" text-anchor="middle" fill="${INK}">${escapeXml(xLabel)}</text>`,
    );
  return frame({ width, height, title, subtitle, body: parts.join('\n') });
}

/**
 * Line chart: one line with point markers per series; points without a usable y are
 * skipped and break the line. x ticks are the distinct x values present.
 * @param {{ title: string, subtitle?: string,
 *   series: { name: string, points: { x: number, y: number|null|undefined }[], color?: string }[],
 *   xLabel?: string, yLabel?: string, xScale?: 'linear'|'log', yScale?: 'linear'|'log',
 *   width?: number, height?: number, format?: (value: number) => string,
 *   tickFormat?: (value: number) => string, xFormat?: (value: number) => string }} chart
 * @returns {string} an SVG document
 */
export function lineChart({
  title,
  subtitle,
  series,
  xLabel,
  yLabel,
  xScale = 'linear',
  yScale = 'linear',
  width = 800,
  height = 440,
  format = (v) => String(v),
  tickFormat = format,
  xFormat = (v) => String(v),
}) {
  const colored = withColors(series);
  const left = 78;
  const right = width - 36;
  const top0 = subtitle ? 62 : 44;
  const key = legend(colored, left, top0, right - left);
  const top = top0 + key.height + 14;
  const bottom = height - (xLabel ? 54 : 36);
  const xs = [...new Set(colored.flatMap((s) => s.points.map((p) => p.x)).filter(usable))].sort(
    (a, b) => a - b,
  );
  // Keep the outermost points off the axes.
  const pad = 24;
  const x = makeScale(xScale, xs, [left + pad, right - pad], { zero: false, nice: false });
  if (xs.length === 1) x.map = () => (left + right) / 2;
  const y = makeScale(
    yScale,
    colored.flatMap((s) => s.points.map((p) => p.y)),
    [bottom, top],
  );
  const parts = [
    key.svg,
    yAxis(y, { left, right, format: tickFormat, label: yLabel, top, bottom }),
  ];
  for (const value of xs) {
    const vx = px(x.map(value));
    parts.push(
      `<line x1="${vx}" x2="${vx}" y1="${bottom}" y2="${bottom + 5}" stroke="${MUTED}" stroke-width="1"/>`,
      `<text x="${vx}" y="${bottom + 19}" font-size="12" text-anchor="middle" fill="${INK}">${escapeXml(xFormat(value))}</text>`,
    );
  }
  for (const s of colored) {
    const points = [...s.points].filter((p) => usable(p.x)).sort((a, b) => a.x - b.x);
    let run = [];
    const flush = () => {
      if (run.length > 1)
        parts.push(
          `<polyline class="line" points="${run.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-linejoin="round"/>`,
        );
      run = [];
    };
    for (const p of points) {
      if (!usable(p.y) || (yScale === 'log' && p.y <= 0)) {
        flush();
        continue;
      }
      const cx = px(x.map(p.x));
      const cy = px(y.map(p.y));
      run.push(`${cx},${cy}`);
    }
    flush();
    for (const p of points) {
      if (!usable(p.y) || (yScale === 'log' && p.y <= 0)) continue;
      parts.push(
        `<circle class="point" cx="${px(x.map(p.x))}" cy="${px(y.map(p.y))}" r="4" fill="${s.color}" stroke="#ffffff" stroke-width="1.5">` +
          `<title>${escapeXml(`${s.name}, ${xFormat(p.x)}: ${format(p.y)}`)}</title></circle>`,
      );
    }
  }
  parts.push(
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="${MUTED}" stroke-width="1"/>`,
  );
  if (xLabel)
    parts.push(
      `<text x="${px((left + right) / 2)}" y="${height - 14}" font-size="12" text-anchor="middle" fill="${INK}">${escapeXml(xLabel)}</text>`,
    );
  return frame({ width, height, title, subtitle, body: parts.join('\n') });
}
