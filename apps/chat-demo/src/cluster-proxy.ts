/**
 * `pnpm --filter chat-demo cluster`: starts INSTANCES (default 2) chat servers on PORT+1…
 * and a round-robin proxy on PORT in front of them, all sharing one bus (BUS, default
 * redis) and one session secret. A dead instance is restarted after 1 s.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startProxy } from './proxy.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const count = Number(process.env.INSTANCES ?? 2);
const bus = process.env.BUS ?? 'redis';
if (bus === 'memory') {
  console.error(
    'chat-demo cluster: BUS=memory cannot connect separate processes; use BUS=redis (default), nats or kafka.',
  );
  process.exit(1);
}
if (!Number.isInteger(count) || count < 1 || count > 8) {
  console.error(`chat-demo cluster: INSTANCES must be 1-8, got ${process.env.INSTANCES}.`);
  process.exit(1);
}
const secret = process.env.SESSION_SECRET || randomBytes(32).toString('hex');
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const script = fileURLToPath(new URL(`./server.${ext}`, import.meta.url));
const children = new Map<number, ChildProcess>();
let stopping = false;

function launch(index: number): void {
  const child = spawn(process.execPath, [...process.execArgv, script], {
    stdio: 'inherit',
    env: {
      ...process.env,
      BUS: bus,
      HOST: host,
      PORT: String(port + index),
      INSTANCE_ID: `i${index}`,
      SESSION_SECRET: secret,
      WORKERS: '1',
    },
  });
  children.set(index, child);
  child.on('exit', (code, signal) => {
    children.delete(index);
    if (stopping) {
      if (children.size === 0) process.exit(0);
      return;
    }
    console.error(
      `chat-demo cluster: instance i${index} exited (${signal ?? code}); restarting in 1 s`,
    );
    setTimeout(() => launch(index), 1_000).unref();
  });
}

for (let i = 1; i <= count; i++) launch(i);
const upstreams = Array.from({ length: count }, (_, i) => `http://${host}:${port + i + 1}`);
const proxy = await startProxy(upstreams, port, host);
console.log(`chat-demo cluster: proxy ${proxy.url} -> ${upstreams.join(', ')} (BUS=${bus})`);

function stop(): void {
  if (stopping) return;
  stopping = true;
  void proxy.close();
  for (const child of children.values()) child.kill('SIGTERM');
  if (children.size === 0) process.exit(0);
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
