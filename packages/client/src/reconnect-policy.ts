import { backoffDelay } from './backoff.js';
import type { ConnectionFailure } from './http-failure.js';

/**
 * How long a connection must stay open to count as healthy when it delivered no event: a
 * quiet stream that a proxy cuts now and then should come back quickly, not after a backoff
 * that grew over hours.
 */
export const HEALTHY_CONNECTION_MS = 5_000;

/**
 * How long, from the first failure in a row, a 502, 503 or 504 keeps the short window of
 * `maxGatewayDelayMs`. A proxy answers such statuses for a few seconds while its upstreams
 * restart (nginx's `fail_timeout` is 10 s); an outage longer than a minute is a real one, and
 * the ordinary backoff takes over so a crowd of clients does not poll a dead site every
 * second or two for hours.
 */
export const GATEWAY_OUTAGE_MS = 60_000;

/** What {@link createReconnectPolicy} needs: the backoff settings. */
export interface ReconnectPolicyOptions {
  /** The base when the server sent no `retry:`. */
  readonly initialDelayMs: number;
  /** The ceiling of the exponential part. */
  readonly maxDelayMs: number;
  /** The ceiling after a 502, 503 or 504 in the first {@link GATEWAY_OUTAGE_MS} of failures. */
  readonly maxGatewayDelayMs: number;
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
 *
 * A 502, 503 or 504 (`failure.gateway`) means something answers for a server that is away
 * for now: within the first {@link GATEWAY_OUTAGE_MS} of failures in a row its window stops
 * growing at `maxGatewayDelayMs`, so a proxy's short hiccup is not turned into a long outage.
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
   * @param failure - its `Retry-After` (a minimum wait) and whether a gateway answered.
   * @returns the next wait, or `undefined` when `maxRetries` failures in a row are spent.
   */
  next(failure: Pick<ConnectionFailure, 'retryAfterMs' | 'gateway'>): ReconnectPlan | undefined;
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
  let outageStart = 0; // when the current run of failures began
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
    next(failure: Pick<ConnectionFailure, 'retryAfterMs' | 'gateway'>): ReconnectPlan | undefined {
      const at = now();
      if (openedAt !== undefined && at - openedAt >= HEALTHY_CONNECTION_MS) failures = 0;
      openedAt = undefined;
      if (failures >= options.maxRetries) return undefined;
      if (failures === 0) outageStart = at;
      const shortOutage = failure.gateway === true && at - outageStart < GATEWAY_OUTAGE_MS;
      const delayMs = backoffDelay({
        attempt: failures,
        baseMs: serverRetryMs ?? options.initialDelayMs,
        maxMs: options.maxDelayMs,
        capMs: shortOutage ? options.maxGatewayDelayMs : undefined,
        random: options.random,
        retryAfterMs: failure.retryAfterMs,
      });
      failures += 1;
      return { attempt: failures, delayMs };
    },
    get failures(): number {
      return failures;
    },
  };
}
