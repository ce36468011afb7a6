import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMs, formatRate, formatRatio } from './format.mjs';
import { barChart, lineChart } from './svg-chart.mjs';
import { evaluateGoals, renderReport, writeReport } from './write-report.mjs';

const meta = {
  date: '2025-06-01T10:00:00Z',
  node: 'v20.19.2',
  cpus: 2,
  cpuModel: 'Test CPU',
  totalMemGiB: 8,
  command: 'pnpm bench',
  rounds: 3,
  smoke: false,
};

const fan = (system, n, mode, deliveriesPerSec, extra = {}) => ({
  system,
  n,
  mode,
  size: 128,
  count: 100,
  deliveriesPerSec,
  p50Ms: 1,
  p99Ms: 3,
  rounds: [deliveriesPerSec, deliveriesPerSec, deliveriesPerSec],
  ...extra,
});

/** Every goal met, unless a test changes a number. */
function results() {
  return {
    meta,
    fanout: [
      fan('floor-coalesced', 1000, 'burst', 4_000_000),
      fan('sse-core', 1000, 'burst', 3_800_000), // 0.95×
      fan('floor-coalesced', 10000, 'burst', 3_000_000),
      fan('sse-core', 10000, 'burst', 2_850_000), // 0.95×
      fan('socket.io', 10000, 'burst', undefined, { error: 'socket.io server crashed: EMFILE' }),
      fan('floor-frame', 1000, 'tick', 500_000),
      fan('sse-core', 1000, 'tick', 480_000), // 0.96×
      fan('sse-core-window', 1000, 'tick', 3_000_000, { p99Ms: 30 }), // 6×
      fan('floor-frame', 1000, 'paced', 100_000, { p99Ms: 4 }),
      fan('sse-core-window', 1000, 'paced', 100_000, { p99Ms: 8.5 }),
    ],
    memory: [
      {
        system: 'floor-coalesced',
        n: 1000,
        baselineRssMiB: 50,
        idleRssMiB: 60,
        kibPerConnection: 10.24,
        afterBurstRssMiB: 70,
      },
      {
        system: 'sse-core',
        n: 1000,
        baselineRssMiB: 50,
        idleRssMiB: 61,
        kibPerConnection: 11.0,
        afterBurstRssMiB: 75,
      }, // 1.07×
    ],
    buses: [
      {
        bus: 'in-process',
        rateMsgPerSec: 1000,
        p50Ms: 0.002,
        p99Ms: 0.01,
        maxMs: 0.05,
        samples: 5000,
        maxPublishedPerSec: 3_000_000,
        maxReceivedPerSec: 3_000_000,
        note: 'one member only',
      },
      {
        bus: 'redis-pubsub',
        rateMsgPerSec: 1000,
        p50Ms: 0.3,
        p99Ms: 1.2,
        maxMs: 3,
        samples: 5000,
        maxPublishedPerSec: 50_000,
        maxReceivedPerSec: 50_000,
      },
      {
        bus: 'nats',
        rateMsgPerSec: 1000,
        p50Ms: 0.4,
        p99Ms: 1.9,
        maxMs: 4,
        samples: 5000,
        maxPublishedPerSec: 25_000,
        maxReceivedPerSec: 25_000,
      },
      { bus: 'kafka', rateMsgPerSec: 1000, error: 'kafka: nothing answers on 127.0.0.1:9092' },
    ],
    reconnect: {
      n: 5000,
      behind: 100,
      size: 128,
      completeMs: 1500,
      p50Ms: 400,
      p99Ms: 1200,
      serverCpuMs: 900,
      rssBeforeMiB: 80,
      rssPeakMiB: 120,
      replayedFrames: 500_000,
      resets: 0,
    },
    growth: [
      {
        system: 'floor-coalesced',
        n: 1000,
        deliveriesPerSec: 4_000_000,
        kibPerConnection: 10,
        afterBurstRssMiB: 70,
      },
      {
        system: 'floor-coalesced',
        n: 10000,
        deliveriesPerSec: 3_000_000,
        kibPerConnection: 10,
        afterBurstRssMiB: 170,
      },
      {
        system: 'sse-core',
        n: 1000,
        deliveriesPerSec: 3_800_000,
        kibPerConnection: 11,
        afterBurstRssMiB: 75,
      },
      { system: 'sse-core', n: 10000, error: 'load generator timed out' },
    ],
  };
}

/** The goals table row whose goal starts with `prefix`, as cells. */
function goalRow(markdown, prefix) {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${prefix}`));
  expect(line, `goal row "${prefix}"`).toBeDefined();
  return line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
}

/** Checks that every tag is closed in order; returns the element names seen. */
function checkXml(svg) {
  const stack = [];
  const names = [];
  const text = svg.replace(/<\?xml[^>]*\?>/, '');
  for (const [, closing, name, selfClosing] of text.matchAll(
    /<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g,
  )) {
    names.push(name);
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  // Text content must not hold a raw '<' or an unescaped '&'.
  expect(text.replace(/<[^>]*>/g, '')).not.toMatch(/[<]|&(?!amp;|lt;|gt;|quot;|apos;)/);
  return names;
}

const dirs = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sse-bench-report-'));
  dirs.push(dir);
  return dir;
};

describe('goals', () => {
  it('marks every goal met when every number is inside its target', () => {
    const { markdown, goals } = renderReport(results());
    expect(goals.map((g) => g.met)).toEqual([true, true, true, true, true, true, true, true]);
    expect(goalRow(markdown, 'Burst fan-out')).toEqual([
      'Burst fan-out, 128 B: @sse/core deliveries/s',
      '≥ 0.90× floor-coalesced at every n',
      'worst 0.95× (n=1,000); n=1,000: 0.95×, n=10,000: 0.95×',
      '✅',
    ]);
    expect(goalRow(markdown, 'Cross-instance')[2]).toBe('redis-pubsub: 1.20 ms, nats: 1.90 ms');
  });

  it('marks a goal missed at the n where the ratio falls short, and names the worst', () => {
    const r = results();
    r.fanout[3].deliveriesPerSec = 2_400_000; // 0.80× at n=10,000
    const { markdown } = renderReport(r);
    const row = goalRow(markdown, 'Burst fan-out');
    expect(row[2]).toBe('worst 0.80× (n=10,000); n=1,000: 0.95×, n=10,000: 0.80×');
    expect(row[3]).toBe('❌');
  });

  it('judges memory per connection at the largest n and lists the smaller ones', () => {
    const r = results();
    r.memory[1].kibPerConnection = 13.3; // 1.30× at n=1,000: listed, not judged
    const at10k = (system, kibPerConnection) => ({
      system,
      n: 10000,
      baselineRssMiB: 50,
      idleRssMiB: 150,
      kibPerConnection,
      afterBurstRssMiB: 160,
    });
    r.memory.push(at10k('floor-coalesced', 10), at10k('sse-core', 10.5)); // 1.05×
    const memoryGoal = () => evaluateGoals(r).find((g) => g.goal.startsWith('Memory per idle'));
    expect(memoryGoal().met).toBe(true);
    expect(memoryGoal().target).toContain('at the largest n (n=10,000)');
    expect(memoryGoal().measured).toBe('1.05× (n=10,000); n=1,000: 1.30×, n=10,000: 1.05×');
    r.memory[3].kibPerConnection = 11.2; // 1.12× at n=10,000
    expect(memoryGoal().met).toBe(false);
  });

  it('checks each goal against its own threshold and direction', () => {
    const r = results();
    r.memory[1].kibPerConnection = 11.5; // 1.12× > 1.1×
    r.fanout[9].p99Ms = 10.5; // window p99 at a paced rate over 10 ms
    r.fanout[7].deliveriesPerSec = 2_400_000; // 4.8× < 5×
    r.buses[2].p99Ms = 5.2; // nats over 5 ms
    r.reconnect.completeMs = 2000; // not under 2 s
    r.memory[1].afterBurstRssMiB = r.memory[1].idleRssMiB + 1001; // over 1,000 × 1 MiB
    // In goal order: burst, tick, tick window rate, paced window p99, memory, RSS, bus, reconnect.
    expect(evaluateGoals(r).map((g) => g.met)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    const window = evaluateGoals(r).find((g) => g.goal.includes('flushWindowMs 5, deliveries'));
    expect(window).toMatchObject({ met: false, measured: 'n=1,000: 4.80×' });
    const rss = evaluateGoals(r).find((g) => g.goal.startsWith('RSS'));
    expect(rss.measured).toBe('n=1,000: +1001.0 MiB (bound 1,000 MiB)');
  });

  it('shows goals of figures that did not run as not measured, neither met nor missed', () => {
    const { markdown, goals } = renderReport({ meta, buses: results().buses });
    expect(goals.filter((g) => g.met === undefined).map((g) => g.measured)).toEqual(
      Array(7).fill('not run'),
    );
    expect(goalRow(markdown, 'Reconnect storm')).toEqual([
      'Reconnect storm: all clients caught up',
      '< 2 s',
      'not run',
      '—',
    ]);
  });

  it('does not call a goal met when one of its buses failed', () => {
    const r = results();
    r.buses[2] = { bus: 'nats', rateMsgPerSec: 1000, error: 'nats: nothing answers' };
    const goal = evaluateGoals(r).find((g) => g.goal.startsWith('Cross-instance'));
    expect(goal).toMatchObject({ met: undefined, measured: 'redis-pubsub: 1.20 ms, nats: error' });
  });
});

describe('sections', () => {
  it('renders a row with error as its error text, never as numbers', () => {
    const { markdown } = renderReport(results());
    expect(markdown).toContain('⚠️ error: socket.io server crashed: EMFILE');
    expect(markdown).toContain('| kafka | ⚠️ error: kafka: nothing answers on 127.0.0.1:9092 |');
    expect(markdown).toContain('| sse-core | 10,000 | ⚠️ error: load generator timed out |');
    expect(markdown).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('states each system as a ratio to its floor in the same run', () => {
    const { markdown } = renderReport(results());
    expect(markdown).toMatch(/\| 1,000 \| 128 B \| 100 \| 4\.00M · 1\.00× \| 3\.80M · 0\.95× \|/);
    expect(markdown).toMatch(
      /\| 1,000 \| 128 B \| 100 \| 500k · 1\.00× \| 480k · 0\.96× \| 3\.00M · 6\.00× \|/,
    );
  });

  it('leaves out figures that were not run, and their charts', () => {
    const { markdown, svgs } = renderReport({ meta, buses: results().buses });
    expect(markdown).toContain('## 3. Cross-instance bus');
    for (const title of ['## 1.', '## 2.', '## 4.', '## 5.', '## 6.'])
      expect(markdown).not.toContain(title);
    expect(Object.keys(svgs)).toEqual(['benchmarks-buses.svg']);
  });

  it('warns that smoke numbers mean nothing', () => {
    expect(renderReport({ ...results(), meta: { ...meta, smoke: true } }).markdown).toContain(
      '**Smoke run**',
    );
    expect(renderReport(results()).markdown).not.toContain('**Smoke run**');
  });
});

describe('files and charts', () => {
  it('writes the markdown and well-formed SVGs that it links to', async () => {
    const dir = tempDir();
    const markdownPath = path.join(dir, 'docs', 'benchmarks.md');
    const { svgPaths } = await writeReport(results(), { markdownPath });
    expect(svgPaths.map((p) => path.basename(p)).sort()).toEqual([
      'benchmarks-buses.svg',
      'benchmarks-fanout-tick.svg',
      'benchmarks-fanout.svg',
      'benchmarks-growth.svg',
    ]);
    const markdown = readFileSync(markdownPath, 'utf8');
    for (const file of svgPaths) {
      expect(markdown).toContain(`](${path.basename(file)})`);
      const svg = readFileSync(file, 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      checkXml(svg);
    }
    const fanout = readFileSync(path.join(dir, 'docs', 'benchmarks-fanout.svg'), 'utf8');
    // 4 measured bursts are bars; the failed socket.io run (n=10,000) and the one never run
    // (n=1,000) are marked, not drawn.
    expect(fanout.match(/class="bar"/g)).toHaveLength(4);
    expect(fanout.match(/class="missing"/g)).toHaveLength(2);
    const growth = readFileSync(path.join(dir, 'docs', 'benchmarks-growth.svg'), 'utf8');
    expect(growth.match(/class="point"/g)).toHaveLength(3);
  });

  it('links the SVGs relative to the markdown when they live elsewhere', async () => {
    const dir = tempDir();
    const markdownPath = path.join(dir, 'docs', 'benchmarks.md');
    await writeReport(results(), { markdownPath, svgDir: path.join(dir, 'docs', 'img') });
    expect(readFileSync(markdownPath, 'utf8')).toContain('](img/benchmarks-growth.svg)');
    expect(existsSync(path.join(dir, 'docs', 'img', 'benchmarks-growth.svg'))).toBe(true);
  });

  it('bar heights follow the values on a linear axis and log axis', () => {
    const heights = (svg) =>
      [...svg.matchAll(/class="bar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    const linear = barChart({
      title: 'a < b & c',
      groups: ['g'],
      series: [
        { name: 'one', values: [100] },
        { name: 'two', values: [50] },
      ],
    });
    checkXml(linear);
    const [h1, h2] = heights(linear);
    expect(h1 / h2).toBeCloseTo(2, 1);
    const log = barChart({
      title: 'log',
      scale: 'log',
      groups: ['g'],
      series: [
        { name: 'one', values: [1000] },
        { name: 'two', values: [10] },
        { name: 'three', values: [0] },
      ],
    });
    const [l1, l2] = heights(log);
    expect(l1 / l2).toBeCloseTo(3, 1); // 10..1000: three decades against one
    expect(log.match(/class="missing"/g)).toHaveLength(1); // 0 has no place on a log axis
    checkXml(lineChart({ title: 't', series: [{ name: 's', points: [{ x: 1, y: 2 }] }] }));
  });
});

describe('formats', () => {
  it('formats rates, ratios and milliseconds', () => {
    expect([3_810_000, 812_345, 4520, 950, 999_700].map(formatRate)).toEqual([
      '3.81M',
      '812k',
      '4.52k',
      '950',
      '1.00M',
    ]);
    expect(formatRatio(0.934)).toBe('0.93×');
    expect([12.345, 0.43, 0.0123, 1432.4, Number.NaN].map(formatMs)).toEqual([
      '12.35',
      '0.43',
      '0.012',
      '1,432',
      '—',
    ]);
  });
});
