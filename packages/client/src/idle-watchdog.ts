import { MAX_TIMER_MS } from './backoff.js';
import { idleTimedOut } from './messages.js';
import type { GuardedTransport, Transport, TransportConnection } from './transports/transport.js';

/**
 * The idle timeout learned from a server is this many of its advertised keep-alive intervals.
 * The server promises at most one interval of silence; half an interval more absorbs its
 * event-loop lag and the network's jitter without a false alarm, and leaves the other half
 * of a second interval for the reconnect, so the clients of a frozen server are live again
 * elsewhere within about two intervals of the freeze.
 */
export const IDLE_TIMEOUT_FACTOR = 1.5;

/**
 * The shortest idle timeout: an explicit `idleTimeoutMs` below it is refused, a learned one is
 * raised to it. Below a second, a busy page or a slow network would be mistaken for a dead
 * server, and every false alarm costs a reconnect.
 */
export const MIN_IDLE_TIMEOUT_MS = 1000;

/**
 * The idle timeout for a server that advertised `keepAliveMs`.
 * @param keepAliveMs - the advertised interval, or `undefined` when the server said nothing.
 * @returns the timeout in ms, or `undefined` (no watchdog) for a server that advertises nothing.
 */
export function idleTimeoutFor(keepAliveMs: number | undefined): number | undefined {
  if (keepAliveMs === undefined) return undefined;
  const timeout = Math.ceil(keepAliveMs * IDLE_TIMEOUT_FACTOR);
  return Math.min(Math.max(timeout, MIN_IDLE_TIMEOUT_MS), MAX_TIMER_MS);
}

const noop = (): void => undefined;

/** What {@link withIdleWatchdog} needs. */
export interface IdleWatchdogOptions {
  /**
   * A fixed timeout in ms (the `idleTimeoutMs` option), `0` for none, or `undefined` to learn
   * it from the server's keep-alive advertisement.
   */
  readonly idleTimeoutMs: number | undefined;
  /** The stream URL, for the error message. */
  readonly url: string;
  /** A monotonic clock in ms; injected by tests. @default performance.now */
  readonly now?: () => number;
}

/**
 * Wraps a transport with a read-idle watchdog: an attempt on which nothing arrives for the
 * idle timeout is closed and reported as a retryable `SSE_IDLE_TIMEOUT` failure, so the
 * stream reconnects. It catches what no error ever reports: a frozen server process (its
 * kernel still holds the connection open), a proxy that stopped forwarding, a connection a
 * NAT forgot. It also bounds the wait for response headers once a timeout is known, since a
 * frozen process accepts connections without ever answering.
 *
 * Cheap per event: activity only notes the time. One timer per attempt is set for the moment
 * the silence would reach the timeout; when it fires after activity, it is set again for the
 * rest, so a busy stream costs one timer per timeout period, never one per event.
 *
 * The timeout learned from one connection's advertisement carries over to the next attempt
 * (a server that answered with a keep-alive is expected to answer the same way); a connection
 * whose first line advertises nothing turns the learned watchdog off.
 *
 * @param transport - the transport to guard.
 * @param options - the fixed timeout, if any, and the URL for messages.
 * @returns the guarded transport (with `idleTimeoutMs: 0`, one that only drops the signs of life).
 */
export function withIdleWatchdog(
  transport: Transport,
  options: IdleWatchdogOptions,
): GuardedTransport {
  const fixed = options.idleTimeoutMs;
  if (fixed === 0) {
    return (request, sink) => transport(request, { ...sink, activity: noop, keepAlive: noop });
  }
  const now = options.now ?? (() => performance.now());
  let advertisedMs: number | undefined; // the last keep-alive heard, across attempts

  return (request, sink) => {
    let timeoutMs = fixed ?? idleTimeoutFor(advertisedMs);
    let lastActivity = now();
    let opened = false;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let connection: TransportConnection | undefined;

    const disarm = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const arm = (): void => {
      disarm();
      if (done || timeoutMs === undefined) return;
      timer = setTimeout(check, Math.max(0, lastActivity + timeoutMs - now()));
    };
    function check(): void {
      timer = undefined;
      if (done || timeoutMs === undefined) return;
      const silentMs = now() - lastActivity;
      if (silentMs < timeoutMs) {
        // Activity since the timer was set: wait for the rest of the new period.
        timer = setTimeout(check, timeoutMs - silentMs);
        return;
      }
      done = true;
      connection?.close();
      const cause = { silentMs, timeoutMs, opened, advertisedMs: fixed ?? advertisedMs };
      sink.fail({ error: idleTimedOut(options.url, cause, fixed !== undefined) });
    }

    connection = transport(request, {
      open: () => {
        if (done) return;
        opened = true;
        lastActivity = now();
        sink.open();
      },
      event: (event) => done || sink.event(event),
      lastEventId: (id) => done || sink.lastEventId(id),
      retry: (ms) => done || sink.retry(ms),
      activity: () => {
        lastActivity = now();
      },
      keepAlive: (ms) => {
        if (done || fixed !== undefined) return;
        advertisedMs = ms;
        timeoutMs = idleTimeoutFor(ms);
        arm();
      },
      fail: (failure) => {
        if (done) return;
        done = true;
        disarm();
        sink.fail(failure);
      },
    });
    arm();
    return {
      close(): void {
        done = true;
        disarm();
        connection?.close();
      },
    };
  };
}
