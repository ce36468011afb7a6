import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrokerProcess } from './broker-process.js';
import { atExit } from './exit-cleanup.js';

/**
 * A broker of a test's own: one process on 127.0.0.1 and a free port, with its data in a temp
 * directory, stopped by PID. The shared brokers (Redis on 6379, NATS on 4222) are never
 * touched: fault tests stop and crash these instead.
 *
 * The methods are bound: `faults: { stop: broker.kill, start: broker.start }` works.
 */
export interface PrivateBroker {
  /** The executable's name, e.g. `redis-server`. */
  readonly name: string;
  /** The port it listens on, on 127.0.0.1; the same after every restart. */
  readonly port: number;
  /** Its temp directory (data, config, sockets); removed by {@link PrivateBroker.dispose}. */
  readonly dir: string;
  /** The PID while it runs. */
  readonly pid: number | undefined;
  /** How long its last start took until it was ready, in ms. */
  readonly lastStartMs: number;
  /** Starts it again on the same port and data; resolves once it is ready. No-op while it runs. */
  start(): Promise<void>;
  /** A clean shutdown by PID (its own signal, `SIGKILL` after a grace period); data stays. */
  stop(): Promise<void>;
  /** `kill -9` by PID, as in a crash; data stays (what the broker had on disk). */
  kill(): Promise<void>;
  /** {@link PrivateBroker.stop}, then {@link PrivateBroker.start}. */
  restart(): Promise<void>;
  /**
   * Freezes it (SIGSTOP by PID): connections stay open and nothing is answered, as on a
   * stalled machine. No-op when it does not run.
   */
  pause(): void;
  /** Thaws it (SIGCONT by PID). No-op when it does not run. */
  resume(): void;
  /** Kills it and removes its directory. Idempotent; call it in `afterAll`. */
  dispose(): Promise<void>;
  /** What it printed since its last start, for error messages. */
  output(): string;
}

/** A fresh directory under the OS temp dir, removed at exit unless disposed of before. */
export function makeTempDir(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sse-${name}-`));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const forget = atExit(remove);
  return {
    dir,
    remove() {
      forget();
      remove();
    },
  };
}

/**
 * The lifecycle every launcher shares, around one process and one temp directory. Launchers
 * add their addresses (`url`, `brokers`) with `Object.assign`, which keeps the getters.
 */
export function brokerHandle(
  port: number,
  temp: { dir: string; remove(): void },
  server: BrokerProcess,
): PrivateBroker {
  let disposed = false;
  let lastStartMs = 0;
  const start = async (): Promise<void> => {
    if (disposed) throw new Error(`${server.spec.name} on port ${port} was disposed of`);
    const ms = await server.start();
    if (ms > 0) lastStartMs = ms;
  };
  const stop = (): Promise<void> => server.stop();
  return {
    name: server.spec.name,
    port,
    dir: temp.dir,
    get pid() {
      return server.pid;
    },
    get lastStartMs() {
      return lastStartMs;
    },
    start,
    stop,
    kill: () => server.kill(),
    async restart() {
      await stop();
      await start();
    },
    pause: () => void server.signal('SIGSTOP'),
    resume: () => void server.signal('SIGCONT'),
    async dispose() {
      if (disposed) return;
      disposed = true;
      // Its data goes away: a clean shutdown would only cost time.
      await server.kill();
      temp.remove();
    },
    output: () => server.output(),
  };
}

/**
 * Creates a broker on free ports and starts it. A port is only known to be free until
 * someone else binds it: when the broker reports "address already in use", it is disposed
 * of and created again on new ports (three attempts).
 *
 * @param create - Draws ports, prepares the directory, returns the (not yet started) broker.
 * @returns The started broker.
 * @throws whatever the last start threw.
 */
export async function launchOnFreePorts<T extends PrivateBroker>(
  create: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const broker = await create();
    try {
      await broker.start();
      return broker;
    } catch (error) {
      const clash = /address already in use/i.test(broker.output());
      await broker.dispose();
      if (!clash || attempt >= 3) throw error;
    }
  }
}
