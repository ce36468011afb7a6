import { SHUTDOWN_EVENT } from '../wire/control-events.js';
import { encodeFrame } from '../wire/frame-encoder.js';
import type { Connection } from './connection.js';

/** Options for `hub.shutdown()`. */
export interface ShutdownOptions {
  /** Send an `sse-shutdown` event with a `retry:` hint first. @default true */
  readonly announce?: boolean;
  /** How long to wait for queues to drain before closing. @default 5000 */
  readonly graceMs?: number;
  /** Reconnect hints are spread uniformly over this many ms to avoid a stampede. @default 3000 */
  readonly reconnectSpreadMs?: number;
}

/**
 * The first half of a graceful shutdown: announce it to every stream with a jittered
 * `retry:` hint, so clients do not come back in one stampede, then wait (at most `graceMs`)
 * until every queue drained. Closing the streams and the bus is the hub's.
 */
export class GracefulShutdown {
  private check: (() => void) | undefined;

  /** Called whenever a queue emptied or a stream ended: the wait may be over. */
  queuesChanged(): void {
    this.check?.();
  }

  /** Announces (unless told not to) and waits for `streams` to drain, within `graceMs`. */
  async announceAndDrain(
    streams: ReadonlySet<Connection>,
    retryMs: number,
    options: ShutdownOptions,
  ): Promise<void> {
    const spread = options.reconnectSpreadMs ?? 3_000;
    if (options.announce ?? true) {
      for (const connection of streams) {
        const retry = retryMs + Math.floor(Math.random() * spread);
        connection.writeDirect(
          encodeFrame({
            event: SHUTDOWN_EVENT,
            data: JSON.stringify({ reconnectInMs: retry }),
            retry,
          }),
        );
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, options.graceMs ?? 5_000);
      const check = (): void => {
        for (const connection of streams) if (connection.queuedItems > 0) return;
        done();
      };
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.check = check;
      check();
    });
    this.check = undefined;
  }
}
