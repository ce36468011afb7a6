import type { Target } from './target.js';

/** Per-stream options for `hub.connect()` and `hub.handle()`. */
export interface ConnectOptions {
  /** The authenticated user; messages to `{ user }` reach all of their streams. */
  readonly user?: string | undefined;
  /** Rooms to join from the start. */
  readonly rooms?: readonly string[] | undefined;
  /**
   * The client's last event id. By default read from the `Last-Event-ID` header or the
   * `lastEventId` query parameter; `null` ignores what the client sent.
   */
  readonly lastEventId?: string | null | undefined;
}

/** A message for `hub.publish()`. */
export interface PublishMessage {
  /** Who gets it. @default 'all' */
  readonly to?: Target | undefined;
  /** Event name (no CR/LF). @default the client's `message` */
  readonly event?: string | undefined;
  /** Anything the serializer accepts (JSON by default). */
  readonly data: unknown;
}

/** What `hub.publish()` resolves with. */
export interface PublishReceipt {
  /** The bus position: the SSE `id:` every recipient sees, on every instance. */
  readonly id: string;
  /**
   * Streams on this instance that were sent the message; `undefined` if this instance
   * had not received its own message back from the bus within 5 s.
   */
  readonly localRecipients: number | undefined;
}
