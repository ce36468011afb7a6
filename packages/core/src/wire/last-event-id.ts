import { MAX_POSITION_LENGTH } from '../bus/bus.js';

/** The parts of a request the hub reads the Last-Event-ID from. */
export interface LastEventIdSource {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly url?: string | undefined;
}

/** A Last-Event-ID the client sent, checked for shape only. */
export type LastEventIdResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'valid'; readonly id: string }
  | { readonly kind: 'malformed'; readonly reason: string };

// Printable ASCII without space: every position our buses produce fits, and anything else
// (control characters, 100 KB strings, unicode tricks) is refused before it reaches a bus.
const SAFE_ID = /^[\x21-\x7e]+$/;

/**
 * Reads the client's last event id from the `Last-Event-ID` header, or else from a
 * `lastEventId` query parameter (for clients that cannot set headers). Untrusted input: a
 * value that is too long or has unexpected characters is reported as `malformed`, and
 * never thrown.
 */
export function readLastEventId(request: LastEventIdSource): LastEventIdResult {
  const header = request.headers['last-event-id'];
  let raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined && request.url !== undefined) {
    const query = request.url.indexOf('?');
    if (query !== -1)
      raw = new URLSearchParams(request.url.slice(query + 1)).get('lastEventId') ?? undefined;
  }
  return checkLastEventId(raw);
}

/** Checks an already extracted Last-Event-ID value. `undefined` or `''` means none. */
export function checkLastEventId(raw: string | null | undefined): LastEventIdResult {
  if (raw === undefined || raw === null) return { kind: 'none' };
  const value = raw.trim();
  if (value === '') return { kind: 'none' };
  if (value.length > MAX_POSITION_LENGTH) {
    return { kind: 'malformed', reason: `longer than ${MAX_POSITION_LENGTH} characters` };
  }
  if (!SAFE_ID.test(value)) return { kind: 'malformed', reason: 'unexpected characters' };
  return { kind: 'valid', id: value };
}
