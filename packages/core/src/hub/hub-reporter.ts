import type { EventEmitter } from 'node:events';
import { isSseError, SseError, toError } from '../errors.js';
import type { HubEvents, SseConnection } from './hub-events.js';

/**
 * How the hub's parts tell the application what happened: typed events, emitted so that a
 * listener's bug never changes what happened, and errors that never vanish.
 */
export class HubReporter {
  private warnedUnheard = false;

  constructor(private readonly emitter: EventEmitter) {}

  /**
   * Emits a hub event to the application's listeners. A listener that throws is reported as
   * `SSE_LISTENER_FAILED` and changes nothing about what happened (a stream that opened stays
   * open and counted).
   */
  notify<K extends Exclude<keyof HubEvents, 'error'>>(event: K, ...args: HubEvents[K]): void {
    try {
      this.emitter.emit(event, ...args);
    } catch (error) {
      this.error(
        new SseError(
          'SSE_LISTENER_FAILED',
          `A "${event}" listener of the hub threw: ${toError(error).message}`,
          { cause: error },
        ),
      );
    }
  }

  /** Reports a failure that broke nothing else, as an `error` event. */
  error(error: Error, connection?: SseConnection): void {
    // An `error` event without a listener would throw from EventEmitter: never let a
    // reporting path crash the application. Without one, say so once, so errors do not
    // vanish without a trace.
    if (this.emitter.listenerCount('error') === 0) {
      if (!this.warnedUnheard) {
        this.warnedUnheard = true;
        process.emitWarning(
          `${error.message} (the hub has no 'error' listener: add hub.on('error', …) to see every error; this warning is shown once)`,
          { type: 'SseWarning', code: isSseError(error) ? error.code : 'SSE_ERROR' },
        );
      }
      return;
    }
    try {
      this.emitter.emit('error', error, connection);
    } catch (listenerError) {
      process.emitWarning(
        `An 'error' listener of the hub threw: ${toError(listenerError).message}`,
        { type: 'SseWarning', code: 'SSE_LISTENER_FAILED' },
      );
    }
  }
}
