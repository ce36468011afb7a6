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
  /**
   * Makes a retry safe: publishes with the same key within the hub's `idempotency.windowMs`
   * are one message, delivered once to every stream on every instance (live and in replays),
   * and each resolves with the first one's id (`duplicate: true` for the repeats). The first
   * message wins: a repeat's own data is not sent. Use a fresh key per message (a UUID) and
   * the same key when you retry it, e.g. after a timeout or a 502 that left you unsure
   * whether it went out. 1–128 characters of `A–Z a–z 0–9 _ - . : /`; keys are shared by
   * everyone publishing on the channel, so prefix one that a user chose with that user.
   */
  readonly idempotencyKey?: string | undefined;
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
  /**
   * `true` when the message's idempotency key was already published within the window: this
   * call delivered nothing new, `id` is the first message's and `localRecipients` is 0.
   */
  readonly duplicate: boolean;
}
