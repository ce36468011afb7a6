/**
 * The names of the events the hub itself sends, beside the application's. They are named
 * events, so an `EventSource`'s `onmessage` never sees them.
 * @see ../../WIRE.md
 * @module
 */

/** Event name of the frame that tells a client it may have missed messages. */
export const RESET_EVENT = 'sse-reset';

/**
 * Event name of the first frame of a fresh stream: it carries the stream's position as its
 * `id:` (and `{}` as data), so every client, including those that never surface an id-only
 * frame, can resume from it.
 */
export const POSITION_EVENT = 'sse-position';

/** Event name of the frame announcing a graceful shutdown. */
export const SHUTDOWN_EVENT = 'sse-shutdown';

/**
 * Name in the comment that opens every stream, `: sse-keep-alive=<ms>`: the hub's promise
 * that no stream stays silent longer than that (its heartbeat). A client that hears nothing
 * for a while longer knows the server or the path to it is dead (a frozen process still holds
 * the connection open) and reconnects. A comment, so every `EventSource` ignores it.
 */
export const KEEP_ALIVE_COMMENT = 'sse-keep-alive';

/**
 * Event name of the last frame of a stream the server closed on purpose (`hub.disconnect()`):
 * its data says why and whether to come back, `{"reason": "...", "reconnect": false}`.
 * `@sse/client` stops for good on `reconnect: false`; a plain `EventSource` reconnects, and a
 * banned user's next attempt is answered 204, which stops it (the spec's way).
 */
export const DISCONNECT_EVENT = 'sse-disconnect';
