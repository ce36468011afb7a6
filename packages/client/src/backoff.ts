/** Inputs of {@link backoffDelay}. */
export interface BackoffInput {
  /** Failed attempts in a row, starting at 0 for the first retry. */
  readonly attempt: number;
  /** The base delay: the server's `retry:` when it sent one, else `initialDelayMs`. */
  readonly baseMs: number;
  /** The ceiling of the exponential part. */
  readonly maxMs: number;
  /** A source of uniform numbers in [0, 1); inject one for deterministic tests. */
  readonly random: () => number;
  /** A server-imposed minimum (a `Retry-After` header), if any. */
  readonly retryAfterMs?: number | undefined;
  /**
   * A ceiling that even the server's `retry:` does not lift: the short window after a 502,
   * 503 or 504 (see `maxGatewayDelayMs`). At least the floor.
   */
  readonly capMs?: number | undefined;
}

/**
 * The shortest wait before any reconnect, whatever the server's `retry:` or the options say.
 * A server that sends `retry: 0` and then fails would otherwise be asked hundreds of times a
 * second by every client. 500 ms is also Firefox's floor for `retry:`.
 */
export const MIN_RECONNECT_DELAY_MS = 500;

/**
 * Exponential backoff with full jitter above a floor: a uniform pick in
 * `[start, start + ceiling − floor)`, where `floor` is {@link MIN_RECONNECT_DELAY_MS},
 * `start` is the floor or a later `Retry-After`, `ceiling` is
 * `min(max(max, base), base · 2^attempt)` (and at most `capMs`), and `base` is raised to
 * the floor.
 *
 * Full jitter spreads a crowd of clients that lost the same server over the whole window, so
 * they do not come back in one wave; the floor keeps even an unlucky draw (or a server's
 * `retry: 0`) from becoming a tight loop. A `Retry-After` moves the window's start, never
 * shortened by the jitter, and the window keeps its width above it: a crowd told "5 s" comes
 * back spread over the seconds after that, not all at the fifth.
 *
 * @param input - attempt, base, ceilings, random source and optional `Retry-After`.
 * @returns the delay in whole milliseconds, at least {@link MIN_RECONNECT_DELAY_MS}.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(input: BackoffInput): number {
  const exponent = Math.min(input.attempt, 30); // 2^30 already exceeds any sane ceiling
  const base = Math.max(input.baseMs, MIN_RECONNECT_DELAY_MS);
  // The server's `retry:` is a base the client never cuts, even when above `maxMs`; only
  // the gateway cap does (a proxy answering for an absent server is not the server's word).
  const exponential = Math.min(Math.max(input.maxMs, base), base * 2 ** exponent);
  const cap = Math.max(input.capMs ?? Number.POSITIVE_INFINITY, MIN_RECONNECT_DELAY_MS);
  const ceiling = Math.min(exponential, cap);
  const draw = input.random();
  // A broken jitter source (NaN, 1, negative) must not turn into a zero or negative delay.
  const unit = draw >= 0 && draw < 1 ? draw : 0;
  const start = Math.max(MIN_RECONNECT_DELAY_MS, input.retryAfterMs ?? 0);
  const jittered = start + Math.floor(unit * (ceiling - MIN_RECONNECT_DELAY_MS));
  // Timers fire at once past 2^31 - 1 ms, so an absurd `retry:` must not become a hot loop.
  return Math.min(jittered, MAX_TIMER_MS);
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
