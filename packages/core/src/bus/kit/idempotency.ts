import { SseError } from '../../errors.js';
import {
  type BusStartOptions,
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from '../bus.js';

// Letters, digits and `_ - . : /`: enough for a UUID, a ULID, base64url or `<scope>:<id>`,
// and safe wherever a bus puts the key: in a Redis key (no `{}` that would move it to
// another Cluster slot), a NATS header (no CR/LF), a log line (no spaces, no controls).
const KEY = /^[A-Za-z0-9_.:/-]+$/;

/**
 * Checks an idempotency key: 1 to {@link MAX_IDEMPOTENCY_KEY_LENGTH} characters of
 * `A–Z a–z 0–9 _ - . : /`.
 * @param key - what the caller passed.
 * @param field - the name to report, e.g. `idempotencyKey`.
 * @returns the key.
 * @throws SseError `SSE_INVALID_FIELD` (with `details.field`) for anything else.
 * @example
 * ```ts
 * checkIdempotencyKey(crypto.randomUUID()); // fine
 * checkIdempotencyKey('two words');          // throws SSE_INVALID_FIELD
 * ```
 */
export function checkIdempotencyKey(key: unknown, field = 'idempotencyKey'): string {
  if (
    typeof key === 'string' &&
    key.length > 0 &&
    key.length <= MAX_IDEMPOTENCY_KEY_LENGTH &&
    KEY.test(key)
  )
    return key;
  // Shown cut short: the key may be long, or someone else's input.
  const shown =
    typeof key === 'string'
      ? `${JSON.stringify(key.slice(0, 40))} (${key.length} characters)`
      : `a ${typeof key}`;
  throw new SseError(
    'SSE_INVALID_FIELD',
    `${field} must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters of A–Z a–z 0–9 _ - . : /, got ${shown}. Use a UUID per message, and the same one when you retry it.`,
    { details: { field } },
  );
}

/**
 * The idempotency window a bus was started with, in ms, or the default.
 * @param options - what `Bus.start()` was given.
 * @returns a positive integer.
 * @throws SseError `SSE_INVALID_OPTION` when `idempotencyWindowMs` is not a positive integer.
 */
export function idempotencyWindowOf(options: BusStartOptions | undefined): number {
  const windowMs = options?.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS;
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `idempotencyWindowMs must be a positive integer (ms), got ${String(windowMs)}.`,
      { details: { option: 'idempotencyWindowMs', value: windowMs } },
    );
  }
  return windowMs;
}
