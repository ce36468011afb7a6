import { SseError } from '../errors.js';
import { checkName } from './admission.js';
import type { ControlOp, ControlTarget } from './control-ops.js';
import { encodeControl } from './control-ops.js';
import type { Publisher } from './publisher.js';
import { resolveTarget } from './target.js';

/** Who a disconnect acts on: every stream of a user, one stream, or every stream in a room. */
export type DisconnectTarget =
  | { readonly user: string }
  | { readonly connection: string }
  | { readonly room: string };

/** Whose streams a join or leave moves: every stream of a user, or one stream. */
export type MembershipTarget = { readonly user: string } | { readonly connection: string };

/** Options of `hub.control.disconnect()`. */
export interface DisconnectOptions {
  /** Shown to the client in the `sse-disconnect` event. @default 'disconnected by the server' */
  readonly reason?: string;
  /**
   * `false`: the client is told not to come back (`@sse/client` stops for good), and a user
   * target's next attempts are answered 204 (which stops an `EventSource`) for `banMs` on
   * every instance that saw the operation. @default true
   */
  readonly reconnect?: boolean;
  /** How long a user stays refused after `reconnect: false`. @default 60000 */
  readonly banMs?: number;
}

/** Options of `hub.control.join()`. */
export interface JoinOptions {
  /**
   * The caller vouches for the join: no `authorizeJoin` check. Needed when the hub has an
   * `authorize` hook but no `authorizeJoin` (a control join never bypasses the app's checks
   * unless the app says so). @default false
   */
  readonly trusted?: boolean;
}

/** What a control operation resolves with. */
export interface ControlReceipt {
  /** Its position on the bus: it applies after every message before it, everywhere. */
  readonly id: string;
  /** Streams on this instance it changed; `undefined` if not applied here within 5 s. */
  readonly localStreams: number | undefined;
}

/** Is a join allowed? Asked once, on the instance that calls `join()`. */
export type AuthorizeJoin = (context: {
  readonly target: MembershipTarget;
  readonly room: string;
}) => boolean | Promise<boolean>;

const MAX_REASON = 256;
const MAX_BAN_MS = 7 * 24 * 3600 * 1000;

/**
 * Operations on streams across every instance (`hub.control`): they travel the bus like
 * messages, so they are ordered with them. A user removed from a room gets no message of
 * that room published after the removal, on any instance; a message published after a join
 * reaches the new member everywhere. They act on the streams open when each instance applies
 * them; the app's resolver stays the source of truth for streams that open later.
 */
export class ClusterControl {
  constructor(
    private readonly parts: {
      readonly publisher: Publisher;
      /** Resolves once the bus is ready; rejects when shutting down. */
      readonly ready: () => Promise<void>;
      readonly authorizeJoin: AuthorizeJoin | undefined;
      /** Whether the hub has an `authorize` hook (then joins need `authorizeJoin` or `trusted`). */
      readonly guarded: boolean;
    },
  ) {}

  /**
   * Ends every stream the target names, on every instance, with a last `sse-disconnect`
   * event carrying the reason.
   * @throws SseError `SSE_INVALID_TARGET`, `SSE_INVALID_FIELD`, `SSE_BUS_UNAVAILABLE`.
   * @example
   * ```ts
   * await hub.control.disconnect({ user: 'mallory' }, { reason: 'banned', reconnect: false });
   * ```
   */
  async disconnect(
    target: DisconnectTarget,
    options: DisconnectOptions = {},
  ): Promise<ControlReceipt> {
    const reason = options.reason ?? 'disconnected by the server';
    if (typeof reason !== 'string' || reason.length > MAX_REASON) {
      throw new SseError(
        'SSE_INVALID_FIELD',
        `disconnect(): reason must be a string of at most ${MAX_REASON} characters.`,
      );
    }
    const banMs = options.banMs ?? 60_000;
    if (!Number.isSafeInteger(banMs) || banMs < 0 || banMs > MAX_BAN_MS) {
      throw new SseError(
        'SSE_INVALID_FIELD',
        `disconnect(): banMs must be an integer from 0 to ${MAX_BAN_MS}, got ${banMs}.`,
      );
    }
    const reconnect = options.reconnect ?? true;
    return this.send({
      op: 'disconnect',
      target: controlTarget(target, true),
      reason,
      reconnect,
      banMs,
    });
  }

  /**
   * Puts every stream of a user (or one stream) into `room`, on every instance: messages to
   * the room published after it reach them.
   * @throws SseError `SSE_FORBIDDEN` when `authorizeJoin` refuses (or the hub has `authorize`
   *   but no `authorizeJoin` and the join is not `trusted`), `SSE_INVALID_TARGET`,
   *   `SSE_INVALID_FIELD`, `SSE_BUS_UNAVAILABLE`.
   */
  async join(
    target: MembershipTarget,
    room: string,
    options: JoinOptions = {},
  ): Promise<ControlReceipt> {
    const resolved = controlTarget(target, false);
    checkName('room', room);
    if (!options.trusted) {
      const { authorizeJoin, guarded } = this.parts;
      const allowed = authorizeJoin ? await authorizeJoin({ target, room }) : !guarded;
      if (!allowed) {
        throw new SseError(
          'SSE_FORBIDDEN',
          authorizeJoin
            ? 'authorizeJoin refused this join.'
            : 'This hub has an authorize hook: a control join needs an authorizeJoin hook or { trusted: true }.',
          { details: { room } },
        );
      }
    }
    return this.send({ op: 'join', target: resolved, room });
  }

  /**
   * Takes every stream of a user (or one stream) out of `room`, on every instance: no
   * message to the room published after it reaches them, live or replayed.
   * @throws SseError `SSE_INVALID_TARGET`, `SSE_INVALID_FIELD`, `SSE_BUS_UNAVAILABLE`.
   */
  async leave(target: MembershipTarget, room: string): Promise<ControlReceipt> {
    const resolved = controlTarget(target, false);
    checkName('room', room);
    return this.send({ op: 'leave', target: resolved, room });
  }

  private async send(op: ControlOp): Promise<ControlReceipt> {
    await this.parts.ready();
    return this.parts.publisher.sendControl(encodeControl(op));
  }
}

function controlTarget(target: DisconnectTarget, rooms: true): ControlTarget;
function controlTarget(
  target: MembershipTarget,
  rooms: false,
): Extract<ControlTarget, { kind: 'user' | 'connection' }>;
function controlTarget(target: DisconnectTarget, rooms: boolean): ControlTarget {
  let resolved: ReturnType<typeof resolveTarget> | undefined;
  try {
    resolved = resolveTarget(target);
  } catch {
    // Said below in terms of control operations, not of publish().
  }
  if (!resolved || resolved.kind === 'all' || (!rooms && resolved.kind === 'room')) {
    throw new SseError(
      'SSE_INVALID_TARGET',
      rooms
        ? 'A control operation acts on { user }, { connection } or { room }.'
        : 'join() and leave() act on { user } or { connection }.',
    );
  }
  return resolved;
}
