/**
 * The `@sse/core` hub's conventions that the client knows, written down once. Any other
 * spec-compliant server works without them; they only add what the spec leaves open.
 * @see `packages/core/WIRE.md` in the repository, which defines them for the server.
 */

/**
 * The server's event that says it cannot prove continuity: the app should refetch its state.
 * Surfaced as `on('reset')` and in the iterator, never as a server event of its own name.
 */
export const RESET_EVENT = 'sse-reset';

/**
 * The event a fresh `@sse/core` stream starts with: `data: {}` and the stream's position as
 * `id:`. It exists for clients that ignore id-only frames (the `eventsource` npm package), so
 * they still learn an id to resume from. Internal: it moves `lastEventId` (and the persisted
 * id) but is never delivered to handlers or iterators, and is not progress for the backoff.
 */
export const POSITION_EVENT = 'sse-position';

/**
 * The server's last event on a stream it ends on purpose: `{"reason": "...", "reconnect": bool}`.
 * Surfaced as `on('disconnect')`; with `reconnect: false` the client stops for good (a plain
 * `EventSource` would reconnect, and the server then answers 204, the spec's "stop").
 */
export const DISCONNECT_EVENT = 'sse-disconnect';

/**
 * The query parameter that carries the last event id when a header cannot: a platform
 * `EventSource` opened by us (not reconnecting on its own) cannot set `Last-Event-ID`.
 */
export const LAST_EVENT_ID_PARAM = 'lastEventId';

/**
 * The comment that opens every `@sse/core` stream, `: sse-keep-alive=<ms>`: the server's
 * promise that it writes something (a heartbeat at least) at least that often. Only the first
 * line of a stream counts, so one parsed line tells whether a server advertises at all.
 * Invisible to `EventSource`, so only the fetch transport learns it.
 */
export const KEEP_ALIVE_COMMENT = 'sse-keep-alive';

const KEEP_ALIVE_LINE = new RegExp(`^ ?${KEEP_ALIVE_COMMENT}=([0-9]{1,10})$`);

/**
 * Reads a keep-alive advertisement from a comment's text (what follows the colon).
 * @param comment - the comment text, e.g. `" sse-keep-alive=15000"`.
 * @returns the advertised interval in ms, or `undefined` when the comment is something else
 *   (or advertises 0, which promises nothing).
 */
export function parseKeepAlive(comment: string): number | undefined {
  const match = KEEP_ALIVE_LINE.exec(comment);
  if (match === null) return undefined;
  const ms = Number(match[1]);
  return ms > 0 ? ms : undefined;
}
