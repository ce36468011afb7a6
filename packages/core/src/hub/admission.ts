import { SseError } from '../errors.js';
import type { Connection } from './connection.js';
import type { AuthorizeContext, HubOptions } from './hub-options.js';
import { KeyedCounts } from './keyed-counts.js';
import type { SseRequest } from './response-sink.js';

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
