// A benchmark server process. argv[2] names the system (see systems/index.mjs); argv[3] is
// optional JSON options for it. The parent drives it over IPC:
//   → { port } once listening
//   { cmd: 'count' }              → { connections }
//   { cmd: 'rss', gc }            → { rss: bytes } (after two full GCs when gc is true)
//   { cmd: 'burst', count, size } → { startedUs } after publishing `count` messages in one turn
//   { cmd: 'ticks', count, size, every? } → { startedUs } at once, then { ticksDone } after
//                                   publishing one message per event-loop turn (or every ms)
//   { cmd: 'stats' }              → { stats: { rssPeak, cpuMs, ...system stats } }
import { nowUs, stampedPayload } from '../lib/clock.mjs';
import { startSystem } from './systems/index.mjs';

const name = process.argv[2];
const options = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const system = await startSystem(name, options);
const cpuAtStart = process.cpuUsage();
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
  stats: () => {
    const cpu = process.cpuUsage(cpuAtStart);
    return {
      stats: {
        rss: process.memoryUsage.rss(),
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
  try {
    process.send(handler(message));
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
// A clean exit on TERM, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
