/** Longest display name, in characters. */
export const MAX_NAME = 32;
/** Longest message text, in characters. */
export const MAX_TEXT = 4000;
const ROOM = /^[a-z0-9_-]{1,64}$/;
// C0, DEL and C1 controls, plus line/paragraph separators and bidi overrides that can
// disguise a name.
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/**
 * Checks a display name.
 * @returns the trimmed name, or an error message.
 */
export function checkName(
  value: unknown,
): { ok: true; value: string } | { ok: false; error: string } {
  if (typeof value !== 'string') return { ok: false, error: 'name must be a string' };
  const name = value.trim();
  if (name === '') return { ok: false, error: 'name must not be empty' };
  if ([...name].length > MAX_NAME)
    return { ok: false, error: `name must be at most ${MAX_NAME} characters` };
  if (CONTROL.test(name)) return { ok: false, error: 'name must not contain control characters' };
  return { ok: true, value: name };
}

/** Whether `value` is a room name: 1–64 of `[a-z0-9_-]`. */
export function isRoom(value: unknown): value is string {
  return typeof value === 'string' && ROOM.test(value);
}

/**
 * Checks message text.
 * @returns the text (not trimmed: whitespace is the author's), or an error message.
 */
export function checkText(
  value: unknown,
): { ok: true; value: string } | { ok: false; error: string } {
  if (typeof value !== 'string') return { ok: false, error: 'text must be a string' };
  if (value.trim() === '') return { ok: false, error: 'text must not be empty' };
  if (value.length > MAX_TEXT)
    return { ok: false, error: `text must be at most ${MAX_TEXT} characters` };
  return { ok: true, value };
}

// What the page sends: a UUID, or any 1–64 of these. The server scopes it by user before it
// becomes the hub's idempotency key, so one user's key can never suppress another's message.
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks the `Idempotency-Key` request header of a message post.
 * @returns the key (`undefined` when the header is absent), or an error message.
 */
export function checkIdempotencyKey(
  value: unknown,
): { ok: true; value: string | undefined } | { ok: false; error: string } {
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value === 'string' && IDEMPOTENCY_KEY.test(value)) return { ok: true, value };
  return {
    ok: false,
    error: 'Idempotency-Key must be 1-64 characters of A-Z a-z 0-9 _ - (a UUID is fine), sent once',
  };
}
