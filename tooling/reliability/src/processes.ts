import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** An app instance (src/instance.mjs) in its own process. */
export interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
  /** kill -9: no shutdown, no goodbye. */
  crash(): Promise<void>;
  /** SIGTERM: the app's graceful shutdown. */
  terminate(): Promise<void>;
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', r));

/** Starts an instance with `env`; resolves once it listens. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = fork(fileURLToPath(new URL('./instance.mjs', import.meta.url)), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('instance did not start within 15 s')), 15_000);
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once('exit', (code) => reject(new Error(`instance exited early with code ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async crash() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async terminate() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** Deletes every key under `prefix` (test runs use a unique prefix on the shared Redis). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

/** Deletes the JetStream streams a test run created under `prefix`. */
export async function deleteNatsStreams(url: string, prefix: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names())
    if (name.startsWith(prefix)) await jsm.streams.delete(name);
  await nc.close();
}
