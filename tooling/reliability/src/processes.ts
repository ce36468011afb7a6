import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@sse/core/testing';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

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

/** A private redis-server (optionally with an fsync-always append-only file) on a free port. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sse-redis-'));
  private constructor(
    readonly port: number,
    private readonly durable: boolean,
  ) {}

  static async start(durable: boolean): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), durable);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.durable
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        this.dir,
        ...persistence,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => accepts(this.port), 10_000, `redis-server on ${this.port}`, 50);
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
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

/** A private `nats-server -js` with file storage on a free port, killed and restarted by PID. */
export class PrivateNats {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sse-nats-'));
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort());
    await nats.start();
    return nats;
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      '/usr/sbin/nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.dir],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(() => accepts(this.port), 10_000, `nats-server on ${this.port}`, 50);
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
