import { SseError } from '../errors.js';
import {
  checkLastEventId,
  type LastEventIdResult,
  readLastEventId,
} from '../wire/last-event-id.js';
import type { Connection } from './connection.js';
import type { ConnectOptions } from './hub-api.js';
import type { AuthorizeContext, HubOptions } from './hub-options.js';
import { KeyedCounts } from './keyed-counts.js';
import type { SseRequest } from './response-sink.js';

/** A request admission let through: who the stream is for, and where it resumes. */
export interface AdmittedStream {
  readonly user: string | undefined;
  readonly rooms: readonly string[];
  /** The key its per-client limit is counted under. */
  readonly client: string;
  readonly lastEventId: LastEventIdResult;
}

/** The limits admission enforces, per instance. */
export interface AdmissionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerUser: number;
  readonly maxConnectionsPerClient: number;
}

/**
 * Who may open a stream, and how many are open: names, limits per user, per client and in
 * total, the `authorize` hook, and refusal while shutting down. Every refusal is an
 * `SseError` whose `status` the binding answers with (400s, 429, 500, 503). It also keeps
 * every open stream, counted against those limits.
 */
export class Admission {
  /** Every open stream, including those still catching up. */
  readonly streams: Set<Connection> = new Set();
  private readonly perUser = new KeyedCounts();
  private readonly perClient = new KeyedCounts();
  private accepting = true;
  /** Names the client a request comes from, for `maxConnectionsPerClient`. */
  readonly clientOf: (request: SseRequest) => string;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly hooks: Pick<HubOptions, 'authorize' | 'clientKey'>,
  ) {
    // Without a per-client limit nothing needs the key: skip it, because reading the
    // socket's remote address caches an object on every socket (memory per stream).
    this.clientOf =
      limits.maxConnectionsPerClient === Number.POSITIVE_INFINITY
        ? () => ''
        : (hooks.clientKey ?? ((request) => request.socket?.remoteAddress ?? 'unknown'));
  }

  /**
   * The whole admission of one request, in order: names, limits, a ban, the `authorize`
   * hook, the bus being ready, the limits again (others may have filled them meanwhile),
   * and the client's Last-Event-ID.
   * @param ready - starts the bus (once) and waits for it.
   * @param banned - whether a user is refused for now (a disconnect with `reconnect: false`).
   * @returns who the stream is for and where it resumes from.
   * @throws SseError `SSE_INVALID_FIELD`, `SSE_SHUTTING_DOWN`, `SSE_TOO_MANY_CONNECTIONS`,
   *   `SSE_BANNED`, `SSE_FORBIDDEN`, `SSE_AUTHORIZE_FAILED`, `SSE_BUS_UNAVAILABLE`.
   */
  async admitRequest(
    request: SseRequest,
    options: ConnectOptions,
    ready: () => Promise<void>,
    banned: (user: string | undefined) => boolean,
  ): Promise<AdmittedStream> {
    const user = options.user;
    const rooms = [...new Set(options.rooms ?? [])];
    if (user !== undefined) checkName('user', user);
    for (const room of rooms) checkName('room', room);
    const client = this.clientOf(request);
    this.check(user, client);
    if (banned(user)) {
      throw new SseError('SSE_BANNED', 'This user was disconnected and may not reconnect yet.', {
        details: { user },
      });
    }
    if (!(await this.authorize({ request, user, rooms }))) {
      throw new SseError('SSE_FORBIDDEN', 'The authorize hook refused this stream.', {
        details: { user, rooms },
      });
    }
    await ready();
    this.check(user, client);
    const lastEventId =
      options.lastEventId === undefined
        ? readLastEventId(request)
        : checkLastEventId(options.lastEventId);
    return { user, rooms, client, lastEventId };
  }

  /** Refuses every stream from now on (`SSE_SHUTTING_DOWN`, 503); open ones go on. */
  stop(): void {
    this.accepting = false;
  }

  /**
   * Checks that a stream of `user` from `client` may open now. Called before and again after
   * the waits of opening (authorize, the bus start), which others may have filled meanwhile.
   * @throws SseError `SSE_SHUTTING_DOWN`, `SSE_TOO_MANY_CONNECTIONS`.
   */
  check(user: string | undefined, client: string): void {
    if (!this.accepting) {
      throw new SseError(
        'SSE_SHUTTING_DOWN',
        'This instance is shutting down; reconnect to another one.',
      );
    }
    if (this.streams.size >= this.limits.maxConnections) {
      throw new SseError(
        'SSE_TOO_MANY_CONNECTIONS',
        `This instance already holds ${this.streams.size} streams (maxConnections).`,
      );
    }
    if (this.perClient.get(client) >= this.limits.maxConnectionsPerClient) {
      throw new SseError(
        'SSE_TOO_MANY_CONNECTIONS',
        `Client ${client} already has ${this.limits.maxConnectionsPerClient} streams on this instance (maxConnectionsPerClient).`,
        { details: { client } },
      );
    }
    if (user !== undefined && this.perUser.get(user) >= this.limits.maxConnectionsPerUser) {
      throw new SseError(
        'SSE_TOO_MANY_CONNECTIONS',
        `User already has ${this.limits.maxConnectionsPerUser} streams on this instance (maxConnectionsPerUser); close one first.`,
        { details: { user } },
      );
    }
  }

  /**
   * Asks the `authorize` hook (`true` without one). A hook that throws is an application
   * bug, not a refusal nor a broker outage: it becomes a 500 whose message says nothing of
   * the hook's own error (that may hold internal details), which travels as the `cause` to
   * the `error` event only.
   * @throws SseError `SSE_AUTHORIZE_FAILED` when the hook throws or rejects.
   */
  async authorize(context: AuthorizeContext): Promise<boolean> {
    if (!this.hooks.authorize) return true;
    try {
      return await this.hooks.authorize(context);
    } catch (error) {
      throw new SseError('SSE_AUTHORIZE_FAILED', 'The server could not authorize this stream.', {
        cause: error,
        details: { user: context.user, rooms: context.rooms },
      });
    }
  }

  /** Counts an opened stream against the limits (its `user` and `client` are set). */
  admit(connection: Connection): void {
    this.streams.add(connection);
    if (connection.user !== undefined) this.perUser.increment(connection.user);
    this.perClient.increment(connection.client);
  }

  /** Stops counting an ended stream; `false` when it was not counted (ended twice). */
  release(connection: Connection): boolean {
    if (!this.streams.delete(connection)) return false;
    if (connection.user !== undefined) this.perUser.decrement(connection.user);
    this.perClient.decrement(connection.client);
    return true;
  }
}

/**
 * Checks a user or room name.
 * @throws SseError `SSE_INVALID_FIELD` unless it is a non-empty string of at most 256 characters.
 */
export function checkName(kind: 'user' | 'room', value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new SseError(
      'SSE_INVALID_FIELD',
      `A ${kind} must be a non-empty string of at most 256 characters.`,
      {
        details: { [kind]: typeof value === 'string' ? value.slice(0, 64) : typeof value },
      },
    );
  }
}
