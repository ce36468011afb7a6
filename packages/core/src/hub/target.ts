import { SseError } from '../errors.js';

/**
 * Who a message is for. `'all'` (the default) is every connection on every instance.
 * A `connection` target reaches one live stream; it is never replayed to a later
 * connection, because a reconnect gets a new connection id.
 */
export type Target =
  | 'all'
  | { readonly user: string }
  | { readonly room: string }
  | { readonly connection: string };

/** The normalized form the hub routes on. */
export type ResolvedTarget =
  | { readonly kind: 'all'; readonly value: '' }
  | { readonly kind: 'user' | 'room' | 'connection'; readonly value: string };

const ALL: ResolvedTarget = { kind: 'all', value: '' };

/**
 * Validates and normalizes a {@link Target}.
 * @throws SseError `SSE_INVALID_TARGET` for anything else (empty names included).
 */
export function resolveTarget(to: Target | undefined): ResolvedTarget {
  if (to === undefined || to === 'all') return ALL;
  if (typeof to === 'object' && to !== null) {
    const keys = Object.keys(to);
    if (keys.length === 1) {
      const kind = keys[0] as 'user' | 'room' | 'connection';
      const value = (to as Record<string, unknown>)[kind];
      if (
        (kind === 'user' || kind === 'room' || kind === 'connection') &&
        typeof value === 'string' &&
        value !== ''
      ) {
        return { kind, value };
      }
    }
  }
  throw new SseError(
    'SSE_INVALID_TARGET',
    `publish({ to }) must be 'all', { user }, { room } or { connection } with a non-empty string; got ${safeDescribe(to)}.`,
  );
}

function safeDescribe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return typeof value;
  }
}
