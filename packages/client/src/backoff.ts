/** Inputs of {@link backoffDelay}. */
export interface BackoffInput {
  /** Failed attempts since the last successful open, starting at 0 for the first retry. */
  readonly attempt: number;
  /** The base delay: the server's `retry:` when it sent one, else `initialDelayMs`. */
  readonly baseMs: number;
  /** The ceiling of the exponential part. */
  readonly maxMs: number;
  /** A source of uniform numbers in [0, 1); inject one for deterministic tests. */
  readonly random: () => number;
  /** A server-imposed minimum (a `Retry-After` header), if any. */
  readonly retryAfterMs?: number | undefined;
}

/**
 * Exponential backoff with full jitter: a uniform pick in `[0, min(max(max, base), base · 2^attempt))`.
 * Full jitter spreads a crowd of clients that lost the same server over the whole window, so
 * they do not come back in one wave.
 * A `Retry-After` is a floor, never shortened by the jitter.
 *
 * @param input - attempt, base, ceiling, random source and optional floor.
 * @returns the delay in whole milliseconds.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(input: BackoffInput): number {
  const exponent = Math.min(input.attempt, 30); // 2^30 already exceeds any sane ceiling
  // The server's `retry:` is a base the client never cuts, even when above `maxMs`.
  const ceiling = Math.min(Math.max(input.maxMs, input.baseMs), input.baseMs * 2 ** exponent);
  const jittered = Math.floor(input.random() * ceiling);
  // Timers fire at once past 2^31 - 1 ms, so an absurd `retry:` must not become a hot loop.
  return Math.min(Math.max(jittered, input.retryAfterMs ?? 0), MAX_TIMER_MS);
}

/** The longest delay `setTimeout` honours (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date.
 * @param value - the header value, or null when absent.
 * @param now - the current time in ms since the epoch.
 * @returns milliseconds to wait, or `undefined` when absent or malformed.
 * @see https://httpwg.org/specs/rfc9110.html#field.retry-after
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number.parseInt(trimmed, 10) * 1000;
  // An HTTP date always names a day or month; without letters, Date.parse would accept "-5".
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
