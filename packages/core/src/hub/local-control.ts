import { DISCONNECT_EVENT } from '../wire/control-events.js';
import { encodeFrame } from '../wire/frame-encoder.js';
import type { CatchUp } from './catch-up.js';
import type { Connection } from './connection.js';
import type { ControlOp, ControlTarget } from './control-ops.js';
import type { Delivery } from './delivery.js';
import type { Registry } from './registry.js';

/** Bans remembered at most; the oldest goes first (a ban is also kept in the app's auth). */
const MAX_BANS = 100_000;

/**
 * Applies control operations to this instance's streams, in bus order: disconnect (with a
 * last `sse-disconnect` event, after what was staged before it), join and leave a room. It
 * reaches live streams through the registry and streams still catching up through catch-up,
 * so an operation that arrives while a stream replays applies to it too. It remembers the
 * users banned by a `disconnect` with `reconnect: false`, for as long as the operation said.
 */
export class LocalControl {
  /** User → time the ban ends. */
  private readonly bans = new Map<string, number>();

  constructor(
    private readonly parts: {
      readonly registry: Registry;
      readonly catchUp: CatchUp;
      readonly delivery: Delivery;
    },
  ) {}

  /**
   * Applies `op`, which stands at `position` in the log, to the local streams it names.
   * @returns how many local streams it changed.
   */
  apply(op: ControlOp, position: string, now: number = Date.now()): number {
    const streams = this.streamsOf(op.target, position);
    if (op.op === 'disconnect') {
      if (!op.reconnect && op.target.kind === 'user') this.ban(op.target.value, now + op.banMs);
      const frame = encodeFrame({
        event: DISCONNECT_EVENT,
        data: JSON.stringify({ reason: op.reason, reconnect: op.reconnect }),
      });
      for (const connection of streams) {
        // Staged after whatever reached it before the operation (broadcasts included), and
        // out of the registry at once: nothing published after the operation reaches it.
        this.parts.delivery.stage(connection, frame, -1);
        this.parts.registry.remove(connection);
        connection.endAfterFlush('closed-by-server');
      }
      return streams.length;
    }
    let changed = 0;
    for (const connection of streams) {
      // Live streams move in the registry; streams still catching up only in their own rooms
      // (the registry takes them in with those rooms when they go live).
      const moved = connection.live
        ? op.op === 'join'
          ? this.parts.registry.join(connection, op.room)
          : this.parts.registry.leave(connection, op.room)
        : op.op === 'join'
          ? connection.addRoom(op.room)
          : connection.removeRoom(op.room);
      if (moved) changed++;
    }
    return changed;
  }

  /** Whether `user` is refused until a ban ends (a `disconnect` with `reconnect: false`). */
  isBanned(user: string | undefined, now: number = Date.now()): boolean {
    if (user === undefined) return false;
    const until = this.bans.get(user);
    if (until === undefined) return false;
    if (until > now) return true;
    this.bans.delete(user);
    return false;
  }

  private ban(user: string, until: number): void {
    this.bans.delete(user); // re-inserted last: the map stays in ban order for eviction
    this.bans.set(user, until);
    if (this.bans.size > MAX_BANS) this.bans.delete(this.bans.keys().next().value!);
  }

  /**
   * The local streams a target names: live ones (but not those that already replayed the
   * operation from history, on an instance that lags behind the broker) and those still
   * catching up that opened before it.
   */
  private streamsOf(target: ControlTarget, position: string): Connection[] {
    const { registry, catchUp } = this.parts;
    const found: Connection[] = [];
    for (const connection of registry.recipients(target)) {
      const replayed =
        connection.skipThrough !== undefined && catchUp.alreadySent(connection, position);
      if (!replayed && !connection.isEnding) found.push(connection);
    }
    for (const connection of catchUp.inProgress(position))
      if (matches(target, connection) && !connection.isEnding) found.push(connection);
    return found;
  }
}

function matches(target: ControlTarget, connection: Connection): boolean {
  switch (target.kind) {
    case 'user':
      return connection.user === target.value;
    case 'connection':
      return connection.id === target.value;
    case 'room':
      return connection.rooms.has(target.value);
  }
}
