import { parseDisconnect, parseReset, toMessage } from './messages.js';
import type { DisconnectInfo, ResetInfo, StreamMessage } from './options.js';
import type { ParsedEvent } from './parser/event-stream-parser.js';
import { DISCONNECT_EVENT, POSITION_EVENT, RESET_EVENT } from './protocol.js';

/** What a stream does when the `@sse/core` hub speaks for itself. */
export interface HubEventSink {
  /** Remembers an id as seen (a replay of it is a repeat). */
  remember(id: string): void;
  /** `sse-reset`: to handlers and iterators. */
  reset(info: ResetInfo, message: StreamMessage<ResetInfo, 'sse-reset'>): void;
  /** `sse-disconnect`: to handlers; stops for good when `reconnect` is false. */
  disconnect(info: DisconnectInfo): void;
}

/**
 * Handles the hub's own events (see `protocol.ts`).
 * @returns `true` when `event` was one of them (it is then not an event of the app's).
 */
export function handleHubEvent(event: ParsedEvent, sink: HubEventSink): boolean {
  switch (event.type) {
    case POSITION_EVENT:
      // Its id already moved lastEventId (transports report the id before the event).
      // Remembered like a reset's id: the position is the id of the last message before
      // this stream, so a replay of that message is a repeat. No handler, no iterator, and
      // no progress for the backoff: a server that only says where it is has sent nothing.
      if (event.id) sink.remember(event.id);
      return true;
    case RESET_EVENT: {
      // Never de-duplicated: a reset carries the server's head as its id, which may be the
      // id of a message this client already has, and it must still reach the app.
      if (event.id) sink.remember(event.id);
      const info = parseReset(event.data);
      sink.reset(info, toMessage(event, info) as StreamMessage<ResetInfo, 'sse-reset'>);
      return true;
    }
    case DISCONNECT_EVENT:
      // The server is about to end the stream on purpose: say why.
      sink.disconnect(parseDisconnect(event.data));
      return true;
    default:
      return false;
  }
}
