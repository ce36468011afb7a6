// Turns the harness's results object (see results-schema.mjs) into docs/benchmarks.md and the
// SVG charts beside it. Pure rendering in `renderReport`; `writeReport` only writes files.
// Figures that were not run are left out; rows with `error` show the error instead of numbers.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  errorText,
  formatInt,
  formatMs,
  formatOne,
  formatRate,
  formatRateTick,
  formatRatio,
} from './format.mjs';
import { markdownTable } from './markdown-table.mjs';
import { BUS_NAMES, FANOUT_SYSTEMS } from './results-schema.mjs';
import { barChart, lineChart } from './svg-chart.mjs';

/** @typedef {import('./results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('./results-schema.mjs').FanoutRow} FanoutRow */

/** The issue's goals, as numbers. */
export const TARGETS = {
  burstVsCoalesced: 0.9,
  tickVsFrame: 0.9,
  windowVsFrame: 5,
  windowP99Ms: 10,
  memoryVsCoalesced: 1.1,
  queueBoundMiBPerConnection: 1,
  busP99Ms: 5,
  reconnectMs: 2000,
};

/** Chart colours per system: the floors in greys, @sse/core in blues, peers in warm colours. */
const SYSTEM_COLORS = {
  'floor-frame': '#a3a3a3',
  'floor-coalesced': '#5c5c5c',
  'sse-core': '#0072B2',
  'sse-core-window': '#56B4E9',
  'better-sse': '#E69F00',
  'express-sse': '#CC79A7',
  'socket.io': '#D55E00',
};

const usable = (value) => typeof value === 'number' && Number.isFinite(value);
const failed = (row) => row?.error !== undefined && row?.error !== null;
const errorCell = (row) => `⚠️ error: ${errorText(row.error)}`;
const byOrder = (order) => (a, b) => {
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib) || a.localeCompare(b);
};
const MODE_TITLE = {
  burst: 'Bursts',
  tick: 'One message per tick',
  paced: 'A paced rate: one message per timer tick, about 100k deliveries/s asked for',
};
const MODE_FLOOR = { burst: 'floor-coalesced', tick: 'floor-frame', paced: 'floor-frame' };

// ---- goals -------------------------------------------------------------------------------

/**
 * Rows of `system` paired with the row of `floor` measured for the same n, mode, size and
 * count (the same run), with their throughput ratio when both have numbers.
 * @param {FanoutRow[]} rows
 */
function pairs(rows, system, floor, mode, keep = () => true) {
  return rows
    .filter((r) => r.system === system && r.mode === mode && keep(r))
    .map((row) => {
      const base = rows.find(
        (r) =>
          r.system === floor &&
          r.mode === mode &&
          r.n === row.n &&
          r.size === row.size &&
          r.count === row.count,
      );
      const ratio =
        !failed(row) && base && !failed(base) && usable(row.deliveriesPerSec)
          ? row.deliveriesPerSec / base.deliveriesPerSec
          : undefined;
      return { row, base, ratio: usable(ratio) ? ratio : undefined };
    })
    .sort((a, b) => a.row.n - b.row.n || a.row.size - b.row.size || a.row.count - b.row.count);
}

/** `n=1,000` plus the size and count when the rows differ in them. */
function labeller(rows) {
  const sizes = new Set(rows.map((r) => r.size)).size > 1;
  const counts = new Set(rows.map((r) => r.count)).size > 1;
  return (r) =>
    [
      `n=${formatInt(r.n)}`,
      sizes && r.size !== undefined ? `${formatInt(r.size)} B` : '',
      counts && r.count !== undefined ? `${formatInt(r.count)} msgs` : '',
    ]
      .filter(Boolean)
      .join(' ');
}

/**
 * One goal from per-item checks. `items`: { label, value (text), pass: boolean|undefined }.
 * met: false when any item fails; true when all pass; undefined (not shown as met or
 * missed) when nothing was measured or some item has no number.
 */
function verdict(items) {
  if (items.length === 0) return undefined;
  if (items.some((i) => i.pass === false)) return false;
  if (items.some((i) => i.pass === undefined)) return undefined;
  return true;
}

/**
 * A goal on the ratio of `entries` to their floors. With `onlyLargestN` only the rows at
 * the largest n decide it (the others are listed for reference).
 */
function ratioGoal(
  goal,
  target,
  entries,
  threshold,
  { atMost = false, worst = 'min', onlyLargestN = false } = {},
) {
  if (entries.length === 0) return { goal, target, measured: 'not run', met: undefined };
  const label = labeller(entries.map((e) => e.row));
  const largestN = Math.max(...entries.map((e) => e.row.n));
  const judged = (item) => !onlyLargestN || item.row.n === largestN;
  const items = entries.map((e) => {
    const broken = failed(e.row) ? e.row : failed(e.base) ? e.base : undefined;
    if (broken) return { ...e, text: `${label(e.row)}: error (${broken.system})`, pass: undefined };
    if (!e.base) return { ...e, text: `${label(e.row)}: no floor row`, pass: undefined };
    if (e.ratio === undefined) return { ...e, text: `${label(e.row)}: —`, pass: undefined };
    const pass = atMost ? e.ratio <= threshold : e.ratio >= threshold;
    return { ...e, text: `${label(e.row)}: ${formatRatio(e.ratio)}`, pass };
  });
  const measuredItems = items.filter((i) => i.ratio !== undefined && judged(i));
  const worstItem = measuredItems.reduce(
    (acc, i) => (!acc || (worst === 'min' ? i.ratio < acc.ratio : i.ratio > acc.ratio) ? i : acc),
    undefined,
  );
  const head =
    worstItem && items.length > 1
      ? `${onlyLargestN ? '' : 'worst '}${formatRatio(worstItem.ratio)} (${label(worstItem.row)}); `
      : '';
  return {
    goal,
    target,
    measured: head + items.map((i) => i.text).join(', '),
    met: verdict(items.filter(judged)),
  };
}

/**
 * The issue's goals with what this run measured.
 * @param {BenchResults} results
 * @returns {{ goal: string, target: string, measured: string, met: boolean|undefined }[]}
 */
export function evaluateGoals(results) {
  const fanout = results.fanout ?? [];
  const goals = [];

  goals.push(
    ratioGoal(
      'Burst fan-out, 128 B: @sse/core deliveries/s',
      `≥ ${formatRatio(TARGETS.burstVsCoalesced)} floor-coalesced at every n`,
      pairs(fanout, 'sse-core', 'floor-coalesced', 'burst', (r) => r.size === 128),
      TARGETS.burstVsCoalesced,
    ),
  );
  goals.push(
    ratioGoal(
      'One message per tick: @sse/core deliveries/s',
      `≥ ${formatRatio(TARGETS.tickVsFrame)} floor-frame`,
      pairs(fanout, 'sse-core', 'floor-frame', 'tick'),
      TARGETS.tickVsFrame,
    ),
  );
  goals.push(
    ratioGoal(
      'One message per tick: @sse/core with flushWindowMs 5, deliveries/s',
      `≥ ${formatRatio(TARGETS.windowVsFrame)} floor-frame`,
      pairs(fanout, 'sse-core-window', 'floor-frame', 'tick'),
      TARGETS.windowVsFrame,
    ),
  );

  const windowRows = fanout
    .filter((r) => r.system === 'sse-core-window' && r.mode === 'paced')
    .sort((a, b) => a.n - b.n || a.size - b.size);
  // The floor's own p99 at the same rate: what fanning one frame out to n sockets costs.
  const floorP99 = (row) =>
    fanout.find(
      (r) => r.system === 'floor-frame' && r.mode === 'paced' && r.n === row.n && !failed(r),
    )?.p99Ms;
  const overFloor = (ms) => `${ms >= 0 ? '+' : '−'}${formatMs(Math.abs(ms))} ms`;
  {
    const label = labeller(windowRows);
    const items = windowRows.map((r) =>
      failed(r)
        ? { text: `${label(r)}: error`, pass: undefined }
        : usable(r.p99Ms)
          ? {
              p99: r.p99Ms,
              text: `${label(r)}: ${formatMs(r.p99Ms)} ms${usable(floorP99(r)) ? ` (floor-frame ${formatMs(floorP99(r))} ms, so ${overFloor(r.p99Ms - floorP99(r))} for the window)` : ''}`,
              pass: r.p99Ms <= TARGETS.windowP99Ms,
            }
          : { text: `${label(r)}: —`, pass: undefined },
    );
    const worst = Math.max(...items.filter((i) => usable(i.p99)).map((i) => i.p99));
    goals.push({
      goal: 'flushWindowMs 5: p99 latency at a paced rate (one message per timer tick)',
      target: `≤ ${TARGETS.windowP99Ms} ms (5 ms window + 5 ms)`,
      measured:
        items.length === 0
          ? 'not run'
          : (items.length > 1 && usable(worst) ? `worst ${formatMs(worst)} ms; ` : '') +
            items.map((i) => i.text).join(', '),
      met: verdict(items),
    });
  }

  const memory = results.memory ?? [];
  const memoryPairs = memory
    .filter((r) => r.system === 'sse-core')
    .map((row) => {
      const base = memory.find((r) => r.system === 'floor-coalesced' && r.n === row.n);
      const ratio =
        !failed(row) && base && !failed(base) && base.kibPerConnection > 0
          ? row.kibPerConnection / base.kibPerConnection
          : undefined;
      return {
        row: { ...row, size: undefined, count: undefined },
        base,
        ratio: usable(ratio) ? ratio : undefined,
      };
    })
    .sort((a, b) => a.row.n - b.row.n);
  // The issue defines this figure at N = 10,000: the largest n run decides, smaller n are
  // listed because a MiB of heap-space or allocator noise is a KiB per stream at n = 1,000.
  const memoryLargestN = Math.max(...memoryPairs.map((e) => e.row.n));
  const memoryGoal = ratioGoal(
    'Memory per idle connection: @sse/core KiB/connection',
    `≤ ${formatRatio(TARGETS.memoryVsCoalesced)} floor-coalesced${memoryPairs.length > 1 ? ` at the largest n (n=${formatInt(memoryLargestN)})` : ''}`,
    memoryPairs,
    TARGETS.memoryVsCoalesced,
    { atMost: true, worst: 'max', onlyLargestN: true },
  );
  goals.push(memoryGoal);

  {
    const rows = memory
      .filter(
        (r) => r.system.startsWith('sse-core') && (failed(r) || r.afterBurstRssMiB !== undefined),
      )
      .sort((a, b) => a.system.localeCompare(b.system) || a.n - b.n);
    const systems = new Set(rows.map((r) => r.system)).size > 1;
    const items = rows.map((r) => {
      const name = `${systems ? `${r.system} ` : ''}n=${formatInt(r.n)}`;
      if (failed(r)) return { text: `${name}: error`, pass: undefined };
      if (!usable(r.afterBurstRssMiB) || !usable(r.idleRssMiB))
        return { text: `${name}: —`, pass: undefined };
      const growth = r.afterBurstRssMiB - r.idleRssMiB;
      const bound = r.n * TARGETS.queueBoundMiBPerConnection;
      return {
        text: `${name}: ${growth >= 0 ? '+' : ''}${formatOne(growth)} MiB (bound ${formatInt(bound)} MiB)`,
        pass: growth <= bound,
      };
    });
    goals.push({
      goal: 'RSS after a burst, above idle RSS with the connections',
      target: `≤ n × ${TARGETS.queueBoundMiBPerConnection} MiB (the per-connection queue bound)`,
      measured: items.length ? items.map((i) => i.text).join(', ') : 'not run',
      met: verdict(items),
    });
  }

  {
    const buses = results.buses ?? [];
    const ran = buses.length > 0;
    const items = ['redis-pubsub', 'nats'].map((bus) => {
      const row = buses.find((r) => r.bus === bus);
      if (!row) return { text: `${bus}: not run`, pass: undefined };
      if (failed(row)) return { text: `${bus}: error`, pass: undefined };
      if (!usable(row.p99Ms)) return { text: `${bus}: —`, pass: undefined };
      return { text: `${bus}: ${formatMs(row.p99Ms)} ms`, pass: row.p99Ms <= TARGETS.busP99Ms };
    });
    goals.push({
      goal: 'Cross-instance latency at 1,000 msg/s: p99',
      target: `≤ ${TARGETS.busP99Ms} ms on redis-pubsub and nats`,
      measured: ran ? items.map((i) => i.text).join(', ') : 'not run',
      met: ran ? verdict(items) : undefined,
    });
  }

  {
    const r = results.reconnect;
    const target = `< ${TARGETS.reconnectMs / 1000} s`;
    const goal = r
      ? `Reconnect storm: ${formatInt(r.n)} clients, ${formatInt(r.behind)} messages behind, all caught up`
      : 'Reconnect storm: all clients caught up';
    if (!r) goals.push({ goal, target, measured: 'not run', met: undefined });
    else if (failed(r)) goals.push({ goal, target, measured: 'error', met: undefined });
    else
      goals.push({
        goal,
        target,
        measured: usable(r.completeMs) ? `${formatInt(r.completeMs)} ms` : '—',
        met: usable(r.completeMs) ? r.completeMs < TARGETS.reconnectMs : undefined,
      });
  }
  return goals;
}

const metMark = (met) => (met === true ? '✅' : met === false ? '❌' : '—');

// ---- sections ----------------------------------------------------------------------------

function methodSection(meta = {}) {
  const facts = [
    meta.date ? `run ${meta.date}` : '',
    meta.node ? `Node ${meta.node}` : '',
    usable(meta.cpus) ? `${meta.cpus} × ${meta.cpuModel ?? 'CPU'}` : (meta.cpuModel ?? ''),
    usable(meta.totalMemGiB) ? `${formatOne(meta.totalMemGiB)} GiB RAM` : '',
  ].filter(Boolean);
  const lines = [
    'Server and load generator run as separate Node processes and talk over 127.0.0.1. The load ' +
      'generator reads raw sockets (no HTTP client or SSE parser in the measured path) and counts ' +
      'frames; every connection is established and registered by the server before timing ' +
      'starts. The systems are measured in alternating runs (A B A B …) and each number is the ' +
      `median over ${usable(meta.rounds) ? `${meta.rounds} round${meta.rounds === 1 ? '' : 's'}` : 'the rounds'}` +
      (usable(meta.peerRounds) && meta.peerRounds < meta.rounds
        ? ` (${meta.peerRounds} for the peers better-sse, express-sse and socket.io, which sit far from every goal)`
        : '') +
      '; ' +
      'every comparison is a ratio between systems measured in the same run, never against a ' +
      'number from another session. The floors are plain `node:http` loops that write one ' +
      'pre-encoded buffer per frame to every socket (`floor-frame`) or one buffer per socket per ' +
      'burst (`floor-coalesced`).',
    '',
    `Machine and run: ${facts.join(', ') || 'not recorded'}.` +
      (meta.command ? ` Command: \`${meta.command}\`.` : ''),
  ];
  if (meta.smoke)
    lines.push(
      '',
      '> **Smoke run**: tiny sizes and short runs that only prove the harness works; the numbers ' +
        'below are not meaningful.',
    );
  return lines.join('\n');
}

function goalsSection(goals) {
  return [
    '## Goals',
    '',
    markdownTable(
      ['Goal', 'Target', 'Measured', 'Met?'],
      goals.map((g) => [g.goal, g.target, g.measured, metMark(g.met)]),
    ),
    '',
    '✅ met, ❌ missed, — not measured in this run (or a measurement failed: see its section).',
  ].join('\n');
}

function fanoutSection(rows, images) {
  const out = ['## 1. Broadcast fan-out'];
  out.push(
    '',
    'Deliveries per second: frames received by all clients together, per second. Each cell ' +
      'is the median and, after the dot, its ratio to the floor measured in the same run ' +
      '(`floor-coalesced` for bursts, `floor-frame` for one message per tick).',
  );
  for (const mode of ['burst', 'tick', 'paced']) {
    const modeRows = rows.filter((r) => r.mode === mode);
    if (modeRows.length === 0) continue;
    const floor = MODE_FLOOR[mode];
    const systems = [...new Set(modeRows.map((r) => r.system))].sort(byOrder(FANOUT_SYSTEMS));
    const keys = [...new Map(modeRows.map((r) => [`${r.n}|${r.size}|${r.count}`, r])).values()]
      .map(({ n, size, count }) => ({ n, size, count }))
      .sort((a, b) => a.n - b.n || a.size - b.size || a.count - b.count);
    const find = (system, k) =>
      modeRows.find(
        (r) => r.system === system && r.n === k.n && r.size === k.size && r.count === k.count,
      );
    const rateCell = (system, k) => {
      const row = find(system, k);
      if (!row) return '';
      if (failed(row)) return errorCell(row);
      const base = find(floor, k);
      const ratio =
        base && !failed(base) && usable(row.deliveriesPerSec)
          ? row.deliveriesPerSec / base.deliveriesPerSec
          : undefined;
      return `${formatRate(row.deliveriesPerSec)} · ${formatRatio(ratio)}`;
    };
    out.push('', `### ${MODE_TITLE[mode] ?? mode}`, '');
    out.push(
      markdownTable(
        ['n', 'size', 'messages', ...systems],
        keys.map((k) => [
          formatInt(k.n),
          `${formatInt(k.size)} B`,
          formatInt(k.count),
          ...systems.map((s) => rateCell(s, k)),
        ]),
        { align: ['right', 'right', 'right', ...systems.map(() => 'right')] },
      ),
    );
    if (modeRows.some((r) => !failed(r) && (usable(r.p50Ms) || usable(r.p99Ms)))) {
      out.push('', 'Latency, publish → receive, p50 / p99 in ms:', '');
      out.push(
        markdownTable(
          ['n', 'size', 'messages', ...systems],
          keys.map((k) => [
            formatInt(k.n),
            `${formatInt(k.size)} B`,
            formatInt(k.count),
            ...systems.map((s) => {
              const row = find(s, k);
              if (!row) return '';
              if (failed(row)) return 'error';
              return `${formatMs(row.p50Ms)} / ${formatMs(row.p99Ms)}`;
            }),
          ]),
          { align: ['right', 'right', 'right', ...systems.map(() => 'right')] },
        ),
      );
    }
    const spread = modeRows
      .filter((r) => !failed(r) && Array.isArray(r.rounds) && r.rounds.filter(usable).length > 1)
      .map((r) => {
        const v = r.rounds.filter(usable);
        return { r, spread: (Math.max(...v) - Math.min(...v)) / r.deliveriesPerSec };
      })
      .filter((s) => usable(s.spread))
      .sort((a, b) => b.spread - a.spread)[0];
    if (spread)
      out.push(
        '',
        `Largest run-to-run spread, (max − min) / median: ${Math.round(spread.spread * 100)}% ` +
          `(${spread.r.system}, n=${formatInt(spread.r.n)}, ${formatInt(spread.r.size)} B).`,
      );
    if (images[mode])
      out.push('', `![${MODE_TITLE[mode]}: deliveries per second](${images[mode]})`);
  }
  return out.join('\n');
}

function fanoutChart(rows, mode) {
  const modeRows = rows.filter((r) => r.mode === mode);
  if (!modeRows.some((r) => !failed(r) && usable(r.deliveriesPerSec))) return undefined;
  const systems = [...new Set(modeRows.map((r) => r.system))].sort(byOrder(FANOUT_SYSTEMS));
  const keys = [...new Map(modeRows.map((r) => [`${r.n}|${r.size}|${r.count}`, r])).values()]
    .map(({ n, size, count }) => ({ n, size, count }))
    .sort((a, b) => a.n - b.n || a.size - b.size || a.count - b.count);
  const sizes = [...new Set(modeRows.map((r) => r.size))];
  const counts = new Set(modeRows.map((r) => r.count)).size > 1;
  const label = (k) =>
    [
      `${formatInt(k.n)} connections`,
      sizes.length > 1 ? `${formatInt(k.size)} B` : '',
      counts ? `${formatInt(k.count)} msgs` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  return barChart({
    title: `Broadcast fan-out, ${mode === 'burst' ? 'bursts' : 'one message per tick'}: deliveries per second`,
    subtitle:
      `Median of alternating runs; higher is better.` +
      (sizes.length === 1 ? ` Payload ${formatInt(sizes[0])} B.` : ''),
    groups: keys.map(label),
    series: systems.map((system) => ({
      name: system,
      color: SYSTEM_COLORS[system],
      values: keys.map((k) => {
        const row = modeRows.find(
          (r) => r.system === system && r.n === k.n && r.size === k.size && r.count === k.count,
        );
        return row && !failed(row) ? row.deliveriesPerSec : null;
      }),
    })),
    yLabel: 'deliveries / s',
    scale: 'linear',
    format: formatRate,
    tickFormat: formatRateTick,
  });
}

function memorySection(rows) {
  const sorted = [...rows].sort((a, b) => a.n - b.n || byOrder(FANOUT_SYSTEMS)(a.system, b.system));
  return [
    '## 2. Memory per idle connection',
    '',
    'Server RSS before the streams (after warm-up streams, as many as n up to 1,000, were opened and closed, so ' +
      'that optimised code, allocator arenas and grown heap spaces count as fixed cost), with ' +
      'n idle streams, and after a burst to them; KiB per connection is (idle − baseline) / n. ' +
      'At n = 1,000 a MiB of heap-space or allocator noise is a KiB per stream, so the goal is ' +
      'judged at the largest n, as the issue defines it (N = 10,000).',
    '',
    markdownTable(
      [
        'system',
        'n',
        'baseline RSS (MiB)',
        'idle RSS (MiB)',
        'KiB / connection',
        'vs floor-coalesced',
        'after burst (MiB)',
        'after burst − idle (MiB)',
      ],
      sorted.map((r) => {
        if (failed(r)) return [r.system, formatInt(r.n), errorCell(r), '', '', '', '', ''];
        const base = rows.find((b) => b.system === 'floor-coalesced' && b.n === r.n);
        const ratio =
          base && !failed(base) && base.kibPerConnection > 0
            ? r.kibPerConnection / base.kibPerConnection
            : undefined;
        const growth =
          usable(r.afterBurstRssMiB) && usable(r.idleRssMiB)
            ? r.afterBurstRssMiB - r.idleRssMiB
            : undefined;
        return [
          r.system,
          formatInt(r.n),
          formatOne(r.baselineRssMiB),
          formatOne(r.idleRssMiB),
          formatOne(r.kibPerConnection),
          formatRatio(ratio),
          formatOne(r.afterBurstRssMiB),
          formatOne(growth),
        ];
      }),
      { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] },
    ),
  ].join('\n');
}

function busSection(rows, image, smoke) {
  const sorted = [...rows].sort((a, b) => byOrder(BUS_NAMES)(a.bus, b.bus));
  const out = [
    '## 3. Cross-instance bus',
    '',
    'Two processes on one channel of one broker: one publishes 1,000 messages/s for ' +
      `${smoke ? '1 s' : '5 s'} and the other records publish → receive time (corrected for the ` +
      'clock offset between the processes, measured over IPC); then the publisher publishes ' +
      `as fast as the bus accepts with 256 publishes in flight for ${smoke ? '1 s' : '3 s'}. ` +
      'The in-process bus has a single member, so its latency is publish → delivery inside one ' +
      'process.',
    '',
    markdownTable(
      [
        'bus',
        'p50 (ms)',
        'p99 (ms)',
        'max (ms)',
        'samples',
        'max published / s',
        'max received / s',
        'note',
      ],
      sorted.map((r) =>
        failed(r)
          ? [r.bus, errorCell(r), '', '', '', '', '', '']
          : [
              r.bus,
              formatMs(r.p50Ms),
              formatMs(r.p99Ms),
              formatMs(r.maxMs),
              formatInt(r.samples),
              formatRate(r.maxPublishedPerSec),
              formatRate(r.maxReceivedPerSec),
              r.note ?? '',
            ],
      ),
      { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] },
    ),
  ];
  if (image) out.push('', `![Cross-instance latency per bus](${image})`);
  return out.join('\n');
}

function busChart(rows) {
  const sorted = [...rows]
    .filter((r) => !failed(r) && usable(r.p50Ms))
    .sort((a, b) => byOrder(BUS_NAMES)(a.bus, b.bus));
  if (sorted.length === 0) return undefined;
  return barChart({
    title: 'Cross-instance latency at 1,000 msg/s',
    subtitle:
      'Publish → receive between two processes (in-process: one process). Log scale; lower is better.',
    groups: sorted.map((r) => r.bus),
    series: [
      { name: 'p50', color: '#56B4E9', values: sorted.map((r) => r.p50Ms) },
      { name: 'p99', color: '#0072B2', values: sorted.map((r) => r.p99Ms) },
      { name: 'max', color: '#a3a3a3', values: sorted.map((r) => r.maxMs) },
    ],
    yLabel: 'milliseconds',
    scale: 'log',
    format: (v) => (v >= 1 ? String(Number(v.toPrecision(3))) : String(Number(v.toPrecision(2)))),
  });
}

function keyValueSection(title, intro, result, fields) {
  const out = [title, '', intro, ''];
  if (failed(result)) out.push(errorCell(result));
  else out.push(markdownTable(['measure', 'value'], fields, { align: ['left', 'right'] }));
  return out.join('\n');
}

function reconnectSection(r) {
  return keyValueSection(
    '## 4. Reconnect storm',
    `${formatInt(r.n)} clients reconnect at once, each ${formatInt(r.behind)} messages of ` +
      `${formatInt(r.size)} B behind, with \`Last-Event-ID\`; timed until every client has ` +
      'everything it missed.',
    r,
    [
      ['all caught up after (ms)', formatInt(r.completeMs)],
      ['per client, p50 / p99 (ms)', `${formatMs(r.p50Ms)} / ${formatMs(r.p99Ms)}`],
      ['server CPU (ms)', formatInt(r.serverCpuMs)],
      [
        'server RSS before → peak (MiB)',
        `${formatOne(r.rssBeforeMiB)} → ${formatOne(r.rssPeakMiB)}`,
      ],
      ['frames replayed', formatInt(r.replayedFrames)],
      ['resets sent', formatInt(r.resets)],
    ],
  );
}

function slowSection(s) {
  return keyValueSection(
    '## 5. Slow consumers',
    `${formatInt(s.n)} clients, ${Math.round((s.slowFraction ?? 0) * 100)}% of which stop reading, ` +
      `${formatInt(s.size)} B messages for ${formatInt(s.durationMs)} ms: the fast clients' ` +
      'deliveries per second against the same run without slow clients, and server memory ' +
      'against the configured queue bounds.',
    s,
    [
      ['fast clients, deliveries / s', formatRate(s.fastDeliveriesPerSec)],
      ['without slow clients, deliveries / s', formatRate(s.baselineDeliveriesPerSec)],
      ['ratio', formatRatio(s.ratio)],
      [
        'server RSS before → peak (MiB)',
        `${formatOne(s.rssBeforeMiB)} → ${formatOne(s.rssPeakMiB)}`,
      ],
      ['RSS bound from the queue limits (MiB)', formatOne(s.rssBoundMiB)],
      ['frames dropped', formatInt(s.drops)],
      ['slow clients disconnected', formatInt(s.disconnects)],
    ],
  );
}

function growthSection(rows, image) {
  const sorted = [...rows].sort((a, b) => byOrder(FANOUT_SYSTEMS)(a.system, b.system) || a.n - b.n);
  const out = [
    '## 6. Growth with the number of connections',
    '',
    markdownTable(
      ['system', 'n', 'deliveries / s', 'KiB / connection', 'RSS after burst (MiB)'],
      sorted.map((r) =>
        failed(r)
          ? [r.system, formatInt(r.n), errorCell(r), '', '']
          : [
              r.system,
              formatInt(r.n),
              formatRate(r.deliveriesPerSec),
              formatOne(r.kibPerConnection),
              formatOne(r.afterBurstRssMiB),
            ],
      ),
      { align: ['left', 'right', 'right', 'right', 'right'] },
    ),
  ];
  if (image) out.push('', `![Deliveries per second as connections grow](${image})`);
  return out.join('\n');
}

function growthChart(rows) {
  const good = rows.filter((r) => !failed(r) && usable(r.deliveriesPerSec));
  if (good.length === 0) return undefined;
  const systems = [...new Set(rows.map((r) => r.system))].sort(byOrder(FANOUT_SYSTEMS));
  const ns = good.map((r) => r.n);
  return lineChart({
    title: 'Fan-out as connections grow: deliveries per second',
    subtitle: 'Median of alternating runs; higher is better. Missing points: the run failed.',
    series: systems.map((system) => ({
      name: system,
      color: SYSTEM_COLORS[system],
      points: rows
        .filter((r) => r.system === system)
        .map((r) => ({ x: r.n, y: failed(r) ? null : r.deliveriesPerSec })),
    })),
    xLabel: 'connections (n)',
    yLabel: 'deliveries / s',
    xScale: Math.max(...ns) / Math.min(...ns) >= 10 ? 'log' : 'linear',
    yScale: 'linear',
    format: formatRate,
    tickFormat: formatRateTick,
    xFormat: formatInt,
  });
}

// ---- the report --------------------------------------------------------------------------

/**
 * Renders the report without touching the file system.
 * @param {BenchResults} results
 * @param {{ imagePrefix?: string, baseName?: string }} [options] imagePrefix: path from the
 *   markdown file to the SVGs' folder, '' when beside it; baseName: SVG file name stem.
 * @returns {{ markdown: string, svgs: Record<string, string>, goals: ReturnType<typeof evaluateGoals> }}
 *   svgs: file name → SVG document
 */
export function renderReport(results, { imagePrefix = '', baseName = 'benchmarks' } = {}) {
  const svgs = {};
  const image = (suffix, svg) => {
    if (!svg) return undefined;
    const name = `${baseName}-${suffix}.svg`;
    svgs[name] = svg;
    return `${imagePrefix}${name}`;
  };
  const goals = evaluateGoals(results);
  const sections = [
    '# Benchmarks',
    '_Generated by `pnpm bench` (tooling/bench); edits by hand are overwritten._',
    methodSection(results.meta),
    goalsSection(goals),
  ];
  const fanout = results.fanout ?? [];
  if (fanout.length)
    sections.push(
      fanoutSection(fanout, {
        burst: image('fanout', fanoutChart(fanout, 'burst')),
        tick: image('fanout-tick', fanoutChart(fanout, 'tick')),
      }),
    );
  if (results.memory?.length) sections.push(memorySection(results.memory));
  if (results.buses?.length)
    sections.push(
      busSection(results.buses, image('buses', busChart(results.buses)), results.meta?.smoke),
    );
  if (results.reconnect) sections.push(reconnectSection(results.reconnect));
  if (results.slow) sections.push(slowSection(results.slow));
  if (results.growth?.length)
    sections.push(growthSection(results.growth, image('growth', growthChart(results.growth))));
  return { markdown: `${sections.join('\n\n')}\n`, svgs, goals };
}

/**
 * Writes the markdown report and its SVG charts (`<name>-fanout.svg`, `-fanout-tick.svg`,
 * `-buses.svg`, `-growth.svg`, each only when its figure has data), creating folders as needed.
 * @param {BenchResults} results
 * @param {{ markdownPath: string, svgDir?: string }} options svgDir defaults to the markdown's folder.
 * @returns {Promise<{ markdownPath: string, svgPaths: string[], goals: ReturnType<typeof evaluateGoals> }>}
 */
export async function writeReport(results, { markdownPath, svgDir }) {
  if (!markdownPath) throw new Error('writeReport: markdownPath is required');
  const mdDir = path.dirname(path.resolve(markdownPath));
  const svgFolder = path.resolve(svgDir ?? mdDir);
  let imagePrefix = path.relative(mdDir, svgFolder).split(path.sep).join('/');
  if (imagePrefix) imagePrefix += '/';
  const baseName = path.basename(markdownPath).replace(/\.md$/i, '');
  const { markdown, svgs, goals } = renderReport(results, { imagePrefix, baseName });
  await mkdir(mdDir, { recursive: true });
  await mkdir(svgFolder, { recursive: true });
  const svgPaths = [];
  for (const [name, svg] of Object.entries(svgs)) {
    const file = path.join(svgFolder, name);
    await writeFile(file, svg);
    svgPaths.push(file);
  }
  await writeFile(markdownPath, markdown);
  return { markdownPath: path.resolve(markdownPath), svgPaths, goals };
}
