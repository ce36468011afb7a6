// Figures 1, 2 and 6: broadcast fan-out (bursts, one message per turn, a paced rate),
// memory per idle connection, and how both grow with n. Sessions alternate between
// systems (A B C A B C…) so that every ratio compares runs taken side by side.
import { median, mib } from '../lib/stats.mjs';
import { OWN_SYSTEMS, SYSTEM_LIMITS } from '../server/systems/index.mjs';
import { openSession } from './session.mjs';

/** The measurements taken on every session of `n` streams (smoke: tiny counts). */
export function fanoutPlan(n, smoke) {
  if (smoke)
    return [
      { mode: 'burst', size: 128, count: 20 },
      { mode: 'tick', size: 128, count: 10 },
    ];
  const every = Math.max(1, Math.round(n / 100));
  return [
    // A burst at n = 1,000 lasts ~50 ms: one sample is mostly scheduling noise, so the
    // floors and @sse/core (not the slow peers) take the median of `repeat` bursts.
    { mode: 'burst', size: 128, count: 200, repeat: 5 },
    { mode: 'burst', size: 4096, count: 20, repeat: 5 },
    { mode: 'tick', size: 128, count: Math.max(20, Math.round(200_000 / n)) },
    { mode: 'tick', size: 4096, count: Math.max(10, Math.round(50_000 / n)) },
    // About 100k deliveries/s asked for, below every system's capacity: latency at a
    // rate rather than under saturation.
    { mode: 'paced', size: 128, count: 20, every },
  ];
}

const key = (row) => `${row.system}|${row.n}|${row.mode}|${row.size}`;

/**
 * Runs `rounds` alternating sessions of every system at every n. Returns figure 1 rows
 * (medians over rounds) and figure 2 rows (memory per idle stream).
 */
export async function runFanout({
  ns,
  systems,
  rounds,
  peerRounds = rounds,
  smoke = false,
  log = console.log,
}) {
  const runs = new Map();
  const memory = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const n of ns) {
      for (const system of systems) {
        // Peers are slow (a 10,000-stream session takes minutes): fewer rounds for them.
        if (round >= peerRounds && !OWN_SYSTEMS.includes(system)) continue;
        log(`fanout round ${round + 1}/${rounds}: ${system} n=${n}`);
        const limit = SYSTEM_LIMITS[system];
        const result =
          limit && n > limit.maxN
            ? skipped(system, n, fanoutPlan(n, smoke), limit.why)
            : await measureSession(system, n, fanoutPlan(n, smoke), log);
        for (const row of result.rows) {
          const k = key(row);
          if (!runs.has(k)) runs.set(k, { ...row, samples: [] });
          runs.get(k).samples.push(row);
        }
        const mk = `${system}|${n}`;
        if (!memory.has(mk)) memory.set(mk, []);
        memory.get(mk).push(result.memory);
      }
    }
  }
  const fanout = [...runs.values()].map(summarize);
  const memoryRows = [...memory.entries()].map(([mk, samples]) => {
    const [system, n] = mk.split('|');
    const ok = samples.filter((s) => !s.error);
    if (ok.length === 0) return { system, n: Number(n), error: samples[0].error };
    return {
      system,
      n: Number(n),
      baselineRssMiB: median(ok.map((s) => s.baselineRssMiB)),
      idleRssMiB: median(ok.map((s) => s.idleRssMiB)),
      kibPerConnection: median(ok.map((s) => s.kibPerConnection)),
      afterBurstRssMiB: Math.max(...ok.map((s) => s.afterBurstRssMiB)),
    };
  });
  return { fanout, memory: memoryRows };
}

/** The rows of a session that was not run, saying why. */
function skipped(system, n, plan, why) {
  return {
    rows: plan.map((step) => ({ system, n, ...step, error: why })),
    memory: { system, n, error: why },
  };
}

function summarize({ samples, ...row }) {
  const ok = samples.filter((s) => !s.error);
  const { samples: _, ...base } = row;
  if (ok.length === 0) return { ...base, error: samples[0].error, rounds: [] };
  const pick = (field) => median(ok.map((s) => s[field]));
  return {
    ...base,
    deliveriesPerSec: pick('deliveriesPerSec'),
    p50Ms: pick('p50Ms'),
    p99Ms: pick('p99Ms'),
    rounds: ok.map((s) => Math.round(s.deliveriesPerSec)),
  };
}

/** Unmeasured full-size bursts at the start of every session. */
const WARM_UP_BURSTS = 2;

/**
 * One session: idle memory, a warm-up, then every measurement of `plan`. A failure is
 * recorded in the rows as `error` (a peer that falls over is a result too).
 */
export async function measureSession(system, n, plan, log = console.log) {
  const rows = [];
  let session;
  const memory = { system, n };
  try {
    session = await openSession(system, n);
    const idle = await session.rss();
    memory.baselineRssMiB = mib(session.baselineRss);
    memory.idleRssMiB = mib(idle);
    memory.kibPerConnection = Math.round(((idle - session.baselineRss) / 1024 / n) * 10) / 10;
    memory.afterBurstRssMiB = memory.idleRssMiB;
    // Warm-up: fresh loopback connections start with small TCP windows and buffers, and the
    // first full bursts of a session ran up to 2× slower for every system, floors included
    // (enough to swing a ratio at n = 1,000 by 20%). Full-size bursts go first, unmeasured.
    const burst = plan.find((step) => step.mode === 'burst') ?? { count: 20, size: 128 };
    for (let i = 0; i < WARM_UP_BURSTS; i++)
      await session.run({ mode: 'burst', count: burst.count, size: burst.size });
    await session.run({ mode: 'tick', count: 5, size: 128 });
    for (const step of plan) {
      const row = { system, n, ...step };
      try {
        const times = OWN_SYSTEMS.includes(system) ? (step.repeat ?? 1) : 1;
        const samples = [];
        for (let i = 0; i < times; i++) samples.push(await session.run(step));
        samples.sort((a, b) => a.deliveriesPerSec - b.deliveriesPerSec);
        Object.assign(row, samples[Math.floor((samples.length - 1) / 2)]);
        if (step.mode === 'burst')
          memory.afterBurstRssMiB = Math.max(memory.afterBurstRssMiB, await session.rssNowMiB());
      } catch (error) {
        row.error = String(error.message ?? error);
        log(`  ${system} n=${n} ${step.mode} ${step.size} B: ${row.error}`);
      }
      rows.push(row);
    }
  } catch (error) {
    const message = String(error.message ?? error);
    log(`  ${system} n=${n}: ${message}`);
    memory.error = message;
    for (const step of plan)
      if (!rows.some((r) => r.mode === step.mode && r.size === step.size))
        rows.push({ system, n, ...step, error: message });
  } finally {
    await session?.close();
  }
  return { rows, memory };
}

/**
 * Figure 6: bursts of 200 × 128 B and idle memory as n doubles, for the coalesced floor
 * and @sse/core.
 */
export async function runGrowth({ ns, systems, rounds, smoke = false, log = console.log }) {
  const plan = [{ mode: 'burst', size: 128, count: smoke ? 20 : 200 }];
  const out = [];
  const byKey = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const n of ns) {
      for (const system of systems) {
        log(`growth round ${round + 1}/${rounds}: ${system} n=${n}`);
        const { rows, memory } = await measureSession(system, n, plan, log);
        const k = `${system}|${n}`;
        if (!byKey.has(k)) byKey.set(k, []);
        byKey.get(k).push({ ...rows[0], memory });
      }
    }
  }
  for (const [k, samples] of byKey) {
    const [system, n] = k.split('|');
    const ok = samples.filter((s) => !s.error && !s.memory.error);
    if (ok.length === 0) {
      out.push({ system, n: Number(n), error: samples[0].error ?? samples[0].memory.error });
      continue;
    }
    out.push({
      system,
      n: Number(n),
      deliveriesPerSec: median(ok.map((s) => s.deliveriesPerSec)),
      kibPerConnection: median(ok.map((s) => s.memory.kibPerConnection)),
      afterBurstRssMiB: Math.max(...ok.map((s) => s.memory.afterBurstRssMiB)),
    });
  }
  return out;
}
