import { SseError } from '../../errors.js';

type GuardState = 'idle' | 'starting' | 'started' | 'closed';

/**
 * The one lifecycle every bus has: not started, starting, started, closed. A bus asks it
 * before each call, so every bus refuses the same calls with the same codes:
 *
 * - `start()` after `close()`: `SSE_BUS_CLOSED`; a second `start()`: `SSE_INVALID_OPTION`;
 * - `publish()` / `readAfter()` after `close()`: `SSE_BUS_CLOSED`; before `start()` resolved:
 *   `SSE_BUS_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const guard = new BusGuard('Redis');
 * // start(): guard.beginStart(); try { …; guard.started(); } catch (e) { guard.startFailed(); throw e; }
 * // publish(): guard.assertUsable('publish');
 * // close(): if (!guard.close()) return;
 * ```
 */
export class BusGuard {
  private state: GuardState = 'idle';

  /** @param broker - the broker's name for humans, e.g. `Redis`. */
  constructor(private readonly broker: string) {}

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Whether `start()` resolved (and `close()` was not called since). */
  get isStarted(): boolean {
    return this.state === 'started';
  }

  /**
   * Call first in `start()`.
   * @throws SseError `SSE_BUS_CLOSED` after `close()`, `SSE_INVALID_OPTION` when `start()`
   *   was already called.
   */
  beginStart(): void {
    if (this.state === 'closed') throw this.closedError('start');
    if (this.state !== 'idle') {
      throw new SseError(
        'SSE_INVALID_OPTION',
        `Bus.start() was already called on this ${this.broker} bus; create one bus per hub.`,
      );
    }
    this.state = 'starting';
  }

  /** `start()` succeeded. */
  started(): void {
    if (this.state === 'starting') this.state = 'started';
  }

  /** `start()` failed: it may be called again (unless the bus was closed meanwhile). */
  startFailed(): void {
    if (this.state === 'starting') this.state = 'idle';
  }

  /**
   * Call first in `publish()`, `readAfter()` and the like.
   * @param action - what was asked, for the message: `publish`, `read history`.
   * @throws SseError `SSE_BUS_CLOSED` after `close()`, `SSE_BUS_UNAVAILABLE` before `start()`
   *   resolved.
   */
  assertUsable(action: string): void {
    if (this.state === 'started') return;
    if (this.state === 'closed') throw this.closedError(action);
    throw new SseError(
      'SSE_BUS_UNAVAILABLE',
      `Cannot ${action}: the ${this.broker} bus was not started. Call start() (the hub does) first.`,
    );
  }

  /** The error for a call that came after `close()`. */
  closedError(action: string): SseError {
    return new SseError(
      'SSE_BUS_CLOSED',
      `Cannot ${action}: this ${this.broker} bus was closed. Create a new bus.`,
    );
  }

  /** Marks the bus closed; `false` when it already was (so `close()` stays idempotent). */
  close(): boolean {
    if (this.state === 'closed') return false;
    this.state = 'closed';
    return true;
  }
}
