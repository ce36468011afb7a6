import { BrokerProcess } from './broker-process.js';
import { freePort } from './free-port.js';
import {
  brokerHandle,
  launchOnFreePorts,
  makeTempDir,
  type PrivateBroker,
} from './private-broker.js';

/** Options for {@link startPrivateRedis}. */
export interface PrivateRedisOptions {
  /**
   * Keep an append-only file, fsynced on every write, so that what Redis acknowledged
   * survives `kill()`. Without it nothing reaches the disk and a restart loses every key
   * (which is what tests of epochs want).
   * @default false
   */
  readonly appendOnly?: boolean;
}

/** A private `redis-server`; see {@link startPrivateRedis}. */
export interface PrivateRedis extends PrivateBroker {
  /** `redis://127.0.0.1:<port>`, for ioredis. */
  readonly url: string;
}

/**
 * Starts a `redis-server` of the caller's own on 127.0.0.1 and a free port, with its
 * directory in a temp dir and no RDB snapshots. `REDIS_SERVER_BIN` overrides the executable.
 *
 * @returns The running server; `dispose()` it in `afterAll`.
 * @throws Error with the server's output when it does not start within 10 s.
 * @example
 * ```ts
 * const redis = await startPrivateRedis();
 * const bus = createRedisBus({ channel: 'c', redis: redis.url });
 * await redis.kill(); // an outage
 * await redis.start(); // back, empty
 * ```
 */
export function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  return launchOnFreePorts(async () => {
    const port = await freePort();
    const temp = makeTempDir('redis');
    const persistence = options.appendOnly
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const server = new BrokerProcess({
      name: 'redis-server',
      command: process.env.REDIS_SERVER_BIN ?? 'redis-server',
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        temp.dir,
        ...persistence,
      ],
      // Printed after the append-only file was loaded, so a restarted server has its data.
      readyLine: /Ready to accept connections/,
      startTimeoutMs: 10_000,
      stopSignal: 'SIGTERM',
      stopGraceMs: 5_000,
      installHint: 'apt-get install redis-server',
    });
    return Object.assign(brokerHandle(port, temp, server), {
      url: `redis://127.0.0.1:${port}`,
    });
  });
}
