// Figure 4: reconnect storm. A server running @sse/core (in-process bus) publishes
// `behind + OLDER` messages; then `n` clients connect at once, each with the Last-Event-ID
// of the message `behind` back from the head, while the server keeps publishing one live
// message every `every` ms (default 100: 10 messages/s, i.e. 50,000 deliveries/s at 5,000
// streams; at 10 ms, 500,000 writes/s are more than this 2-core machine does one syscall
// each, the event loop stretches, and since libuv 1.45 Node accepts one connection per
// loop iteration, so the storm then takes minutes: a different experiment).
//
// What the hub writes to each of those streams: the `retry:` frame (first, on its own),
// then every message after the Last-Event-ID in bus order (the `behind` missed ones, then
// any published since the storm began, replayed or live: the client cannot tell and need
// not), each one frame with an `id:`. A stream is *complete* once it has received
// 1 + behind + 1 frames: the retry frame, the `behind` missed messages and at least one
// message published after the first client connected (live publishing starts only once the
// load process reports that it is connecting, so message behind + 1 is always one of
// those). `completeMs` runs from the first connect until the last stream is complete;
// p50/p99 are of the per-stream completion times on the same origin.
//
// Correctness, on the sampled streams (about 64, every stream in smoke mode): the retry
// frame first, then exactly the bus's ids in order starting right after the Last-Event-ID,
// no gap, no duplicate, one `id:` per frame. Checked against the ids the server's publish
// calls returned.
import { fileURLToPath } from 'node:url';
import { ask, spawnChild, stopChild, waitFor } from '../lib/child.mjs';
import { mib } from '../lib/stats.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
/** Messages published before the `behind` ones, so the Last-Event-ID is not the oldest entry. */
const OLDER = 10;

/**
 * Runs the storm once. Resolves with `{ n, behind, size, completeMs, p50Ms, p99Ms,
 * serverCpuMs, rssBeforeMiB, rssPeakMiB, replayedFrames, resets, … }`; a failure (or a
 * failed correctness check) is reported as `error` rather than thrown.
 */
export async function runReconnectStorm({
  n,
  behind,
  size = 128,
  every = 100,
  hub = {},
  smoke = false,
  timeoutMs,
  log = console.log,
} = {}) {
  n ??= smoke ? 100 : 5000;
  behind ??= smoke ? 50 : 1000;
  timeoutMs ??= smoke ? 30_000 : 120_000;
  const result = { n, behind, size };
  // Live messages are bounded by count as well as by the deadline; the window holds all of
  // them, so even the last client to connect still finds its Last-Event-ID.
  const maxLive = Math.ceil(timeoutMs / every) + 10;
  const maxEntries = OLDER + behind + maxLive + 100;
  const serverOptions = {
    hub: {
      ...hub,
      replay: {
        maxEntries,
        maxBytes: maxEntries * (size + 256),
        maxReplayEntries: Math.max(10_000, maxEntries),
      },
    },
  };
  const server = spawnChild(
    here('../server/main.mjs'),
    ['sse-core', JSON.stringify(serverOptions)],
    'server sse-core',
  );
  let load;
  let pacing = false;
  try {
    const port = await waitFor(server, 'port', 30_000);
    const older = await ask(
      server,
      { cmd: 'publishAndIds', count: OLDER + behind, size },
      'ids',
      30_000,
    );
    const lastEventId = older[OLDER - 1];
    const rssBefore = await ask(server, { cmd: 'rss', gc: true }, 'rss');
    const before = await ask(server, { cmd: 'stats' }, 'stats');
    log(
      `reconnect storm: ${n} clients, ${behind} behind, ${size} B (Last-Event-ID ${lastEventId})`,
    );

    load = spawnChild(
      here('../load/main.mjs'),
      [
        JSON.stringify({
          port,
          n,
          headers: { 'Last-Event-ID': lastEventId },
          expect: 1 + behind + 1,
          trackIds: true,
          samples: 64,
        }),
      ],
      'load storm',
    );
    const reached = waitFor(load, 'reached', timeoutMs);
    reached.catch(() => {});
    await waitFor(load, 'connecting', 30_000);
    await ask(server, { cmd: 'pace', size, every, max: maxLive, ids: true }, 'pacing');
    pacing = true;
    const done = await reached;
    const paced = await ask(server, { cmd: 'stopPace' }, 'paced', 30_000);
    pacing = false;
    const after = await ask(server, { cmd: 'stats' }, 'stats');
    const samples = await ask(load, { cmd: 'sampleIds' }, 'sampleIds', 30_000);

    Object.assign(result, {
      completeMs: round((done.lastUs - done.sinceUs) / 1000),
      p50Ms: round(done.completionP50Ms),
      p99Ms: round(done.completionP99Ms),
      openP50Ms: round(done.openP50Ms),
      openMaxMs: round(done.openMaxMs),
      serverCpuMs: Math.round(after.cpuMs - before.cpuMs),
      rssBeforeMiB: mib(rssBefore),
      rssPeakMiB: mib(after.rssPeak),
      replayedFrames: after.replay.replayedFrames - before.replay.replayedFrames,
      resets: after.replay.resets,
      completed: done.streams,
      lost: done.lost,
      liveMessages: paced.count,
      sampledStreams: samples.length,
    });
    const problems = [];
    if (done.streams !== n || done.lost > 0)
      problems.push(`${done.streams} of ${n} streams complete, ${done.lost} closed`);
    if (result.resets !== 0) problems.push(`${result.resets} resets sent`);
    if (result.replayedFrames < n * behind)
      problems.push(`${result.replayedFrames} frames replayed, fewer than n × behind`);
    const all = [...older, ...(paced.ids ?? [])];
    for (const sample of samples) {
      const problem = checkSample(sample, all, OLDER, behind);
      if (problem) problems.push(`stream ${sample.index}: ${problem}`);
    }
    if (samples.length === 0) problems.push('no sampled stream');
    if (problems.length > 0) {
      result.error = `${problems.length} problem(s): ${problems.slice(0, 5).join('; ')}`;
      log(`  reconnect storm: ${result.error}`);
    }
  } catch (error) {
    result.error = String(error?.message ?? error);
    log(`  reconnect storm: ${result.error}`);
  } finally {
    if (pacing) await ask(server, { cmd: 'stopPace' }, 'paced', 5_000).catch(() => {});
    await Promise.all([load && stopChild(load), stopChild(server)]);
  }
  return result;
}

/**
 * What is wrong with one sampled stream, or undefined: `fields` must be the retry line,
 * then `all[first…]` in order (at least `behind + 1` of them), one per frame.
 */
export function checkSample({ fields, frames }, all, first, behind) {
  if (!fields[0]?.startsWith('retry: ')) return `first frame is not retry: (${fields[0]})`;
  const ids = fields.slice(1);
  if (ids.length < behind + 1) return `${ids.length} ids, fewer than behind + 1`;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== all[first + i])
      return `id #${i + 1} is ${ids[i]}, expected ${all[first + i] ?? 'nothing'}`;
  }
  // An id line may be read before the blank line that ends its frame arrives.
  if (fields.length !== frames && fields.length !== frames + 1)
    return `${frames} frames but ${fields.length} retry/id lines`;
  return undefined;
}

const round = (value) => Math.round(value * 10) / 10;
