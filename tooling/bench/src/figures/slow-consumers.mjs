// Figure 5: slow consumers. `n` streams to @sse/core; the server publishes bursts of
// `burst` messages of `size` bytes (the same bytes to every stream, one write per socket
// per burst), one burst after the other, each once every reading stream has the last.
//
//   slow run:     the first `slowFraction` of the streams stop reading (the load's `pause`),
//                 then bursts until the hub has cut every paused stream as a slow consumer
//                 (at least `minBursts`, at most `maxBursts` or `maxMs`). Every other stream
//                 must receive every frame (one that closes fails the run). Their
//                 deliveries/s counts the bursts that began while a paused stream was still
//                 connected.
//   baseline run: a new session of the same shape, nobody paused, the same number of
//                 bursts; deliveries/s counts every stream. ratio = slow-run / baseline
//                 (≈ 1: slow clients cost the others nothing).
//   Runs alternate (slow, baseline, slow, baseline…) when `rounds` > 1; medians reported.
//
// A paused stream first fills the kernel's loopback buffers (about 4 MB: the sender's send
// buffer grows to tcp_wmem's max), then Node's socket buffer (the one write that returned
// false: at most one burst), then the hub's queue (`maxQueueBytes`, 256 KiB here unless
// given, or `maxQueueItems` frames); past that the drop policy ('disconnect') cuts it. So
// the slow run publishes several MB per stream. Memory bound: the peak RSS of the baseline
// run (same connections, same bursts, nobody paused; + 5% for GC timing) + paused streams ×
// (maxQueueBytes + one burst). After the slow run the paused streams read again, and each must see its end
// (the hub closed it) within a deadline.
//
// With `floor: true` the slow run is repeated against plain node:http ('floor-coalesced'),
// which bounds nothing: paused sockets keep every write. Same number of bursts.
import { ask } from '../lib/child.mjs';
import { median, mib } from '../lib/stats.mjs';
import { openSession } from './session.mjs';

/** Allowance on the baseline's peak RSS for GC timing (peaks of equal runs differ by a few %). */
const RSS_NOISE = 0.05;
/** Bytes of one sse-core frame around a payload of `size` bytes (`data: "…"`, `id: …`). */
const FRAME_OVERHEAD = 40;

/**
 * Runs the figure. Resolves with `{ n, slowFraction, size, durationMs,
 * fastDeliveriesPerSec, baselineDeliveriesPerSec, ratio, rssBeforeMiB, rssPeakMiB,
 * rssBoundMiB, drops, disconnects, … }`; a failure is reported as `error`, not thrown.
 */
export async function runSlowConsumers({
  n,
  slowFraction = 0.1,
  size = 128,
  burst = 1000,
  minBursts,
  maxBursts,
  maxMs,
  maxQueueBytes = 256 * 1024,
  rounds = 1,
  floor = false,
  smoke = false,
  log = console.log,
} = {}) {
  n ??= smoke ? 100 : 5000;
  minBursts ??= smoke ? 3 : 5;
  maxMs ??= smoke ? 30_000 : 120_000;
  const burstBytes = burst * (size + FRAME_OVERHEAD);
  // Enough for the kernel's ~4 MB, Node's buffer and the queue, twice over.
  maxBursts ??= Math.ceil((2 * (4 * 1024 * 1024 + maxQueueBytes)) / burstBytes) + minBursts;
  const hub = { maxQueueBytes };
  const result = { n, slowFraction, size, burst, maxQueueBytes };
  try {
    const slowRuns = [];
    const baselineRuns = [];
    for (let round = 0; round < rounds; round++) {
      const slow = await slowRun(
        'sse-core',
        hub,
        { n, slowFraction, size, burst, log },
        {
          minBursts,
          maxBursts,
          maxMs,
        },
      );
      slowRuns.push(slow);
      baselineRuns.push(
        await baselineRun('sse-core', hub, { n, size, burst, log }, slow.bursts, maxMs),
      );
    }
    const slow = slowRuns[0];
    const rssBaselinePeak = Math.max(...baselineRuns.map((r) => r.rssPeak));
    const rssPeak = Math.max(...slowRuns.map((r) => r.rssPeak));
    const fast = median(slowRuns.map((r) => r.fastDeliveriesPerSec));
    const baseline = median(baselineRuns.map((r) => r.deliveriesPerSec));
    Object.assign(result, {
      durationMs: median(slowRuns.map((r) => r.durationMs)),
      fastDeliveriesPerSec: Math.round(fast),
      baselineDeliveriesPerSec: Math.round(baseline),
      ratio: Math.round((fast / baseline) * 100) / 100,
      rssBeforeMiB: mib(slow.rssBefore),
      rssPeakMiB: mib(rssPeak),
      rssBaselinePeakMiB: mib(rssBaselinePeak),
      rssBoundMiB: mib(
        rssBaselinePeak * (1 + RSS_NOISE) + slow.paused * (maxQueueBytes + burstBytes),
      ),
      drops: Math.min(...slowRuns.map((r) => r.drops)),
      disconnects: Math.min(...slowRuns.map((r) => r.disconnects)),
      paused: slow.paused,
      pausedClosed: Math.min(...slowRuns.map((r) => r.pausedClosed)),
      bursts: slow.bursts,
      publishedMiBPerStream: mib(slow.bursts * burstBytes),
    });
    const problems = slowRuns.flatMap((r) => r.problems);
    problems.push(...baselineRuns.flatMap((r) => r.problems));
    if (result.disconnects < result.paused)
      problems.push(`${result.disconnects} of ${result.paused} paused streams cut by the hub`);
    if (result.pausedClosed < result.paused)
      problems.push(`${result.pausedClosed} of ${result.paused} paused streams saw their end`);
    if (result.rssPeakMiB > result.rssBoundMiB)
      problems.push(`peak RSS ${result.rssPeakMiB} MiB over the bound ${result.rssBoundMiB} MiB`);
    if (problems.length > 0) {
      result.error = problems.join('; ');
      log(`  slow consumers: ${result.error}`);
    }
    if (floor) {
      const plain = await slowRun(
        'floor-coalesced',
        undefined,
        { n, slowFraction, size, burst, log },
        { minBursts: slow.bursts, maxBursts: slow.bursts, maxMs, checkEnd: false },
      );
      result.floor = {
        system: 'floor-coalesced',
        durationMs: plain.durationMs,
        fastDeliveriesPerSec: Math.round(plain.fastDeliveriesPerSec),
        rssBeforeMiB: mib(plain.rssBefore),
        rssPeakMiB: mib(plain.rssPeak),
        rssEndMiB: mib(plain.rssEnd),
        bursts: plain.bursts,
        pausedClosed: plain.pausedClosed,
      };
      if (plain.problems.length > 0) result.floor.error = plain.problems.join('; ');
    }
  } catch (error) {
    result.error = String(error?.message ?? error);
    log(`  slow consumers: ${result.error}`);
  }
  return result;
}

/** Opens a session, measures its GC'd RSS and sends a warm-up burst. */
async function open(system, hub, { n, size }) {
  const session = await openSession(system, n, { serverOptions: hub && { hub } });
  const rssBefore = await session.rss();
  await session.run({ mode: 'burst', count: 20, size });
  return { session, rssBefore };
}

/** The slow run: pause, bursts until the hub cut every paused stream, then check the ends. */
async function slowRun(system, hub, shape, { minBursts, maxBursts, maxMs, checkEnd = true }) {
  const { n, slowFraction, size, burst, log } = shape;
  log(`slow consumers: ${system} n=${n}, ${slowFraction * 100}% paused, bursts of ${burst}`);
  const { session, rssBefore } = await open(system, hub, shape);
  try {
    const paused = await ask(session.load, { cmd: 'pause', fraction: slowFraction }, 'paused');
    const started = Date.now();
    let fastSeconds = 0;
    let fastBursts = 0;
    let bursts = 0;
    let rssSeen = 0;
    let cut = 0;
    while (bursts < maxBursts && Date.now() - started < maxMs) {
      if (cut >= paused && bursts >= minBursts) break;
      const run = await session.run({ mode: 'burst', count: burst, size });
      bursts++;
      if (cut < paused) {
        fastSeconds += run.seconds;
        fastBursts++;
      }
      const stats = await session.stats();
      rssSeen = Math.max(rssSeen, stats.rss);
      cut = stats.disconnects?.['slow-consumer'] ?? 0;
    }
    const durationMs = Date.now() - started;
    const stats = await session.stats();
    const problems = [];
    let counts = await ask(session.load, { cmd: 'counts' }, 'counts');
    if (counts.closed > counts.pausedClosed)
      problems.push(`${counts.closed - counts.pausedClosed} reading streams closed`);
    if (checkEnd) {
      // The cut streams read their backlog (the kernel still holds a few MB each), then
      // must see the end of the stream.
      await ask(session.load, { cmd: 'resume' }, 'resumed');
      const deadline = Date.now() + 60_000;
      while (counts.pausedClosed < paused && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        counts = await ask(session.load, { cmd: 'counts' }, 'counts');
      }
    }
    return {
      paused,
      bursts,
      durationMs,
      fastDeliveriesPerSec: ((n - paused) * burst * fastBursts) / fastSeconds,
      rssBefore,
      rssPeak: Math.max(stats.rssPeak, rssSeen),
      rssEnd: stats.rss,
      drops: Object.values(stats.drops ?? {}).reduce((a, b) => a + b, 0),
      disconnects: stats.disconnects?.['slow-consumer'] ?? 0,
      pausedClosed: counts.pausedClosed,
      problems,
    };
  } finally {
    await session.close();
  }
}

/** The baseline run: nobody paused, `bursts` bursts. */
async function baselineRun(system, hub, shape, bursts, maxMs) {
  const { n, size, burst, log } = shape;
  log(`slow consumers: ${system} n=${n} baseline, ${bursts} bursts of ${burst}`);
  const { session } = await open(system, hub, shape);
  try {
    const started = Date.now();
    let seconds = 0;
    let rssSeen = 0;
    let done = 0;
    for (; done < bursts && Date.now() - started < maxMs; done++) {
      seconds += (await session.run({ mode: 'burst', count: burst, size })).seconds;
      rssSeen = Math.max(rssSeen, (await session.stats()).rss);
    }
    const stats = await session.stats();
    return {
      deliveriesPerSec: (n * burst * done) / seconds,
      rssPeak: Math.max(stats.rssPeak, rssSeen),
      problems: done < bursts ? [`baseline ran ${done} of ${bursts} bursts in ${maxMs} ms`] : [],
    };
  } finally {
    await session.close();
  }
}
