import { backoffDelay } from './backoff.js';

/**
 * How long a connection must stay open to count as healthy when it delivered no event: a
 * quiet stream that a proxy cuts now and then should come back quickly, not after a backoff
 * that grew over hours.
 */
export const HEALTHY_CONNECTION_MS = 5_000;

/** What {@link createReconnectPolicy} needs: the backoff settings. */
export interface ReconnectPolicyOptions {
  /** The base when the server sent no `retry:`. */
  readonly initialDelayMs: number;
  /** The ceiling of the exponential part. */
  readonly maxDelayMs: number;
  /** Failures in a row allowed before giving up. */
  readonly maxRetries: number;
  /** The jitter source, uniform in [0, 1). */
  readonly random: () => number;
  /** A clock in ms (monotonic); injected by tests. @default performance.now */
  readonly now?: () => number;
}

/** The next wait, as reported by `on('reconnecting')`. */
export interface ReconnectPlan {
  /** 1 for the first retry after the last healthy connection, then 2, 3, … */
  readonly attempt: number;
  /** How long to wait before that attempt, in ms. */
  readonly delayMs: number;
}

/**
 * Decides when to reconnect. It owns the count of failures in a row and the server's `retry:`.
 *
 * A connection that opens is not yet a success: one that ends before delivering an event (a
 * server that sends `retry: 0` and closes, a proxy that answers 200 and hangs up) counts as a
 * failure, so such loops back off exponentially instead of running at the floor forever.
 * The count starts over when a connection delivers an event or stays open for
 * {@link HEALTHY_CONNECTION_MS}.
 */
export interface ReconnectPolicy {
  /** A connection opened (status 200, an event stream). */
  opened(): void;
  /** A new event of the app's arrived: the connection works, so the next failure starts over. */
  progressed(): void;
  /** The server sent `retry:`; it becomes the backoff base (never below the floor). */
  retry(ms: number): void;
  /**
   * The attempt failed or the open stream ended.
   * @param retryAfterMs - the server's `Retry-After`, a minimum wait.
   * @returns the next wait, or `undefined` when `maxRetries` failures in a row are spent.
   */
  next(retryAfterMs: number | undefined): ReconnectPlan | undefined;
  /** Failures in a row so far. */
  readonly failures: number;
}

/**
 * Creates a {@link ReconnectPolicy}.
 * @param options - the backoff settings.
 * @returns the policy.
 */
export function createReconnectPolicy(options: ReconnectPolicyOptions): ReconnectPolicy {
  const now = options.now ?? (() => performance.now());
  let failures = 0;
  let serverRetryMs: number | undefined;
  let openedAt: number | undefined;
  return {
    opened(): void {
      openedAt = now();
    },
    progressed(): void {
      failures = 0;
    },
    retry(ms: number): void {
      serverRetryMs = ms;
    },
    next(retryAfterMs: number | undefined): ReconnectPlan | undefined {
      if (openedAt !== undefined && now() - openedAt >= HEALTHY_CONNECTION_MS) failures = 0;
      openedAt = undefined;
      if (failures >= options.maxRetries) return undefined;
      const delayMs = backoffDelay({
        attempt: failures,
        baseMs: serverRetryMs ?? options.initialDelayMs,
        maxMs: options.maxDelayMs,
        random: options.random,
        retryAfterMs,
      });
      failures += 1;
      return { attempt: failures, delayMs };
    },
    get failures(): number {
      return failures;
    },
  };
}
