// A benchmark server process. argv[2] names the system (see systems/index.mjs); argv[3] is
// optional JSON options for it. The parent drives it over IPC:
//   → { port } once listening
//   { cmd: 'count' }              → { connections }
//   { cmd: 'rss', gc }            → { rss: bytes } (after two full GCs when gc is true)
//   { cmd: 'burst', count, size } → { startedUs } after publishing `count` messages in one turn
//   { cmd: 'ticks', count, size, every? } → { startedUs } at once, then { ticksDone } after
//                                   publishing one message per event-loop turn (or every ms)
//   { cmd: 'stats' }              → { stats: { rss, rssPeak, heapUsed, arrayBuffers, cpuMs,
//                                   ...system stats } }
//   { cmd: 'publishAndIds', count, size } → { ids } of `count` messages published in
//                                   batches (needs the system's optional `publishWithId`)
//   { cmd: 'pace', size, every, max, ids? } → { pacing: startedUs } at once, then one message
//                                   every `every` ms until `stopPace` or `max` messages
//   { cmd: 'stopPace' }           → { paced: { count, ids? } } (ids in publish order)
import { nowUs, stampedPayload } from '../lib/clock.mjs';
import { startSystem } from './systems/index.mjs';

const name = process.argv[2];
const options = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const system = await startSystem(name, options);
const cpuAtStart = process.cpuUsage();
/** The paced publisher in progress (at most one). */
let pacer;
process.send({ port: system.port });

const handlers = {
  count: () => ({ connections: system.connections() }),
  rss: ({ gc }) => {
    if (gc && global.gc) {
      global.gc();
      global.gc();
    }
    return { rss: process.memoryUsage.rss() };
  },
  burst: ({ count, size }) => {
    const startedUs = nowUs();
    const payloads = [];
    for (let i = 0; i < count; i++) payloads.push(stampedPayload(size));
    if (system.publishBurst) system.publishBurst(payloads);
    else for (const payload of payloads) system.publish(payload);
    return { startedUs };
  },
  ticks: ({ count, size, every = 0 }) => {
    let sent = 0;
    const next = () => {
      system.publish(stampedPayload(size));
      if (++sent === count) process.send({ ticksDone: sent });
      else if (every > 0) setTimeout(next, every);
      else setImmediate(next);
    };
    setImmediate(next);
    return { startedUs: nowUs() };
  },
  publishAndIds: async ({ count, size }) => {
    if (!system.publishWithId) throw new Error(`system "${name}" cannot report message ids`);
    // In batches: @sse/core remembers the local delivery of only the last 256 messages, so
    // a publish() of a larger burst in one turn would wait seconds for its receipt.
    const ids = [];
    for (let done = 0; done < count; ) {
      const batch = [];
      for (; batch.length < 128 && done < count; done++)
        batch.push(system.publishWithId(stampedPayload(size)));
      ids.push(...(await Promise.all(batch)));
    }
    return { ids };
  },
  pace: ({ size, every, max, ids = false }) => {
    if (pacer) throw new Error('a paced publisher is already running');
    if (ids && !system.publishWithId) throw new Error(`system "${name}" cannot report message ids`);
    const current = { count: 0, receipts: [], timer: undefined };
    const next = () => {
      const payload = stampedPayload(size);
      if (ids) current.receipts.push(system.publishWithId(payload));
      else system.publish(payload);
      if (++current.count < max) current.timer = setTimeout(next, every);
    };
    pacer = current;
    current.timer = setTimeout(next, 0);
    return { pacing: nowUs() };
  },
  stopPace: async () => {
    const current = pacer;
    pacer = undefined;
    if (!current) return { paced: { count: 0 } };
    clearTimeout(current.timer);
    const paced = { count: current.count };
    if (current.receipts.length > 0) paced.ids = await Promise.all(current.receipts);
    return { paced };
  },
  stats: () => {
    const cpu = process.cpuUsage(cpuAtStart);
    const memory = process.memoryUsage();
    return {
      stats: {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        arrayBuffers: memory.arrayBuffers,
        rssPeak: process.resourceUsage().maxRSS * 1024,
        cpuMs: (cpu.user + cpu.system) / 1000,
        ...system.stats?.(),
      },
    };
  },
};

process.on('message', (message) => {
  const handler = handlers[message?.cmd];
  if (!handler) return;
  const fail = (error) => process.send({ error: String(error?.stack ?? error) });
  try {
    const reply = handler(message);
    if (reply instanceof Promise) reply.then((r) => process.send(r), fail);
    else process.send(reply);
  } catch (error) {
    fail(error);
  }
});
process.on('disconnect', () => process.exit(0));
// A clean exit on the parent's SIGTERM, so that `--cpu-prof` gets to write its profile.
process.on('SIGTERM', () => process.exit(0));
