import { chownSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BrokerProcess, type RunAs } from './broker-process.js';
import { freePort } from './free-port.js';
import {
  brokerHandle,
  launchOnFreePorts,
  makeTempDir,
  type PrivateBroker,
} from './private-broker.js';
import { runToEnd } from './run-to-end.js';

/** Options for {@link startPrivatePostgres}. */
export interface PrivatePostgresOptions {
  /**
   * Server settings, passed as `-c name=value`. `fsync=off` is the default: a process crash
   * (`kill()`) loses nothing with it (the WAL is in the OS page cache), only a machine crash
   * would, and it spares CI the disk flushes.
   * @default { fsync: 'off' }
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** How long a (re)start may take, crash recovery included. @default 30000 */
  readonly startTimeoutMs?: number;
}

/** A private PostgreSQL server; see {@link startPrivatePostgres}. */
export interface PrivatePostgres extends PrivateBroker {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth: no password). */
  readonly url: string;
  /** The superuser, `postgres`. */
  readonly user: string;
  /** The database that exists from the start, `postgres`. */
  readonly database: string;
}

const READY = /database system is ready to accept connections/;

/** The user PostgreSQL runs as: itself when we are not root (it refuses root). */
function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error(
      'PostgreSQL refuses to run as root and there is no postgres user: run the tests as another user, or install PostgreSQL (apt-get install postgresql), which creates one',
    );
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a PostgreSQL 15 server of the caller's own: `initdb` (trust auth, user `postgres`,
 * UTF-8, no locale) in a temp dir, then the postmaster on 127.0.0.1 and a free port, with its
 * Unix socket in the same dir. As root it runs as the `postgres` user. `PG_BIN` overrides
 * the binaries' folder (default `/usr/lib/postgresql/15/bin`).
 *
 * The postmaster is started directly rather than through `pg_ctl start`: `pg_ctl` detaches it,
 * so its exit could not be awaited, and a start right after `kill()` would race the reaping
 * of the killed process (its stale lock file then names a PID that still exists). Started
 * this way its PID is ours: `stop()` is SIGINT (a fast shutdown, which does not wait for
 * clients to disconnect), `kill()` is `kill -9` of the postmaster, and the next `start()`
 * runs crash recovery.
 *
 * @returns The running server; `dispose()` it in `afterAll`.
 * @throws Error with the server's output when `initdb` fails or the server does not start.
 * @example
 * ```ts
 * const pg = await startPrivatePostgres();
 * const client = new pg.Client({ connectionString: pg.url });
 * await pg.kill(); // a crash
 * await pg.start(); // recovers from its WAL
 * ```
 */
export function startPrivatePostgres(
  options: PrivatePostgresOptions = {},
): Promise<PrivatePostgres> {
  const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
  const installHint = `apt-get install postgresql-15 (or set PG_BIN to the folder of initdb and postgres; looked in ${bin})`;
  const runAs = serverUser();
  const settings = { fsync: 'off', ...options.settings };
  return launchOnFreePorts(async () => {
    const port = await freePort();
    const temp = makeTempDir('postgres');
    if (runAs) chownSync(temp.dir, runAs.uid, runAs.gid);
    const dataDir = path.join(temp.dir, 'data');
    try {
      await runToEnd(
        'initdb',
        path.join(bin, 'initdb'),
        // -N: no fsync of the fresh cluster; it lives as long as the test.
        ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '-N'],
        { cwd: temp.dir, runAs, installHint, timeoutMs: 60_000 },
      );
    } catch (error) {
      temp.remove();
      throw error;
    }
    const server = new BrokerProcess({
      name: 'postgres',
      command: path.join(bin, 'postgres'),
      args: [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        temp.dir,
        '-c',
        'listen_addresses=127.0.0.1',
        ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      readyLine: READY,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      stopSignal: 'SIGINT',
      stopGraceMs: 10_000,
      installHint,
      cwd: temp.dir,
      runAs,
    });
    return Object.assign(brokerHandle(port, temp, server), {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      user: 'postgres',
      database: 'postgres',
    });
  });
}
