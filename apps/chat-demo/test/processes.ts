import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const APP_DIR: string = fileURLToPath(new URL('../', import.meta.url));
/** The shared Redis of this machine (tests use a unique channel and delete its keys). */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A spawned chat server process. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it printed. */
  output(): string;
}

const children = new Set<ChildProcess>();

/** Starts `src/server.ts` through tsx (no build needed), collecting its output. */
function launch(env: Record<string, string>): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: APP_DIR,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  const collect = (chunk: Buffer): void => {
    out += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { child, output: () => out };
}

/**
 * Runs the server with `env` and resolves once it (every worker, with WORKERS) printed its URL.
 * @throws Error with the process output when it exits first or after `timeoutMs`.
 */
export function spawnServer(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ServerProcess> {
  const { child, output } = launch(env);
  const workers = Number(env.WORKERS ?? 1);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output()}`)),
      timeoutMs,
    );
    const check = (): void => {
      const urls = [...output().matchAll(/ on (http:\/\/127\.0\.0\.1:\d+)/g)];
      if (urls.length >= workers) {
        clearTimeout(timer);
        resolve({ child, url: urls[0]![1]!, output });
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${signal ?? code}) before it was ready:\n${output()}`));
    });
  });
}

/**
 * Runs the server and waits for it to exit (for configurations it must refuse).
 * @returns exit code and output.
 */
export function runServerToExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  const { child, output } = launch(env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not exit in ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
    });
  });
}

/** Stops a process (SIGTERM, then SIGKILL after 5 s) and waits for its exit. */
export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** Stops every process these helpers started and are still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopProcess(child)));
}

/** A channel name nobody else uses, and a cleanup that deletes its keys. */
export function uniqueChannel(): { channel: string; cleanup(): Promise<void> } {
  const channel = `chat-test-${randomBytes(4).toString('hex')}`;
  return {
    channel,
    async cleanup() {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        const keys = await redis.keys(`sse:{${channel}}*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Fails with a clear message when the shared Redis is not there. */
export async function assertRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `These tests need Redis at ${REDIS_URL} (start redis-server): ${(error as Error).message}`,
    );
  } finally {
    redis.disconnect();
  }
}

/** GET /healthz on a fresh TCP connection (keep-alive would pin one cluster worker). */
export function healthOnNewConnection(
  url: string,
): Promise<{ status: number; instance: string; connections: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/healthz`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const json = JSON.parse(body) as { instance: string; connections: number };
          resolve({
            status: res.statusCode ?? 0,
            instance: json.instance,
            connections: json.connections,
          });
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on('error', reject);
  });
}

/** The shared NATS server of this machine. */
export const NATS_URL: string = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Deletes the JetStream stream `@sse/bus-nats` made for `channel` (default prefix `SSE_`). */
export async function deleteNatsStream(channel: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: NATS_URL, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`SSE_${channel}`).catch(() => false);
  } finally {
    await nc.close();
  }
}
