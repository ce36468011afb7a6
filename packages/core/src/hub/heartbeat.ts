import { encodeComment } from '../wire/frame-encoder.js';
import type { Delivery } from './delivery.js';
import type { Registry } from './registry.js';

const HEARTBEAT: Buffer = encodeComment();

/** What the heartbeat keeps to. */
export interface HeartbeatOptions {
  /** Longest silence on a stream. */
  readonly keepAliveMs: number;
  /** A stream whose socket has not drained for this long is cut. */
  readonly maxStallMs: number;
}

/**
 * The one hub-wide timer: every tick (half of `keepAliveMs`), streams silent for half the
 * keep-alive get a comment, so none is ever silent for longer than `keepAliveMs`, and
 * streams whose socket has not drained for `maxStallMs` are cut. No timer per connection.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly delivery: Delivery,
    private readonly options: HeartbeatOptions,
  ) {}

  /** Starts the timer (once; it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    const half = Math.max(50, Math.floor(this.options.keepAliveMs / 2));
    this.timer = setInterval(() => this.sweep(half), half);
    this.timer.unref();
  }

  /** Stops the timer for good. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(half: number): void {
    const now = Date.now();
    for (const connection of this.registry.byId.values()) {
      if (connection.blockedSince > 0) connection.cutIfStalled(now, this.options.maxStallMs);
      else if (
        now - connection.lastWriteAt >= half &&
        !connection.dirty &&
        !this.delivery.broadcasting
      ) {
        this.delivery.stage(connection, HEARTBEAT, -1);
      }
    }
  }
}
