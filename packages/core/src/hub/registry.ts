import type { Connection } from './connection.js';
import type { ResolvedTarget } from './target.js';

/**
 * Live connections indexed by id, user and room. Every operation is O(1) (joining N rooms
 * is N operations); nothing scans all connections on the hot path.
 */
export class Registry {
  readonly byId: Map<string, Connection> = new Map();
  readonly byUser: Map<string, Set<Connection>> = new Map();
  readonly byRoom: Map<string, Set<Connection>> = new Map();

  /**
   * @param members - told whenever a live stream of a user enters or leaves a room (presence);
   *   absent, membership costs nothing more.
   */
  constructor(private readonly members?: MembershipObserver | undefined) {}

  add(connection: Connection): void {
    this.byId.set(connection.id, connection);
    const user = connection.user;
    if (user !== undefined) addTo(this.byUser, user, connection);
    for (const room of connection.rooms) {
      addTo(this.byRoom, room, connection);
      if (user !== undefined) this.members?.joined(user, room);
    }
  }

  remove(connection: Connection): void {
    if (!this.byId.delete(connection.id)) return;
    const user = connection.user;
    if (user !== undefined) removeFrom(this.byUser, user, connection);
    for (const room of connection.rooms) {
      removeFrom(this.byRoom, room, connection);
      if (user !== undefined) this.members?.left(user, room);
    }
  }

  join(connection: Connection, room: string): boolean {
    if (!connection.addRoom(room)) return false;
    if (this.byId.has(connection.id)) {
      addTo(this.byRoom, room, connection);
      if (connection.user !== undefined) this.members?.joined(connection.user, room);
    }
    return true;
  }

  leave(connection: Connection, room: string): boolean {
    if (!connection.removeRoom(room)) return false;
    if (this.byId.has(connection.id)) {
      removeFrom(this.byRoom, room, connection);
      if (connection.user !== undefined) this.members?.left(connection.user, room);
    }
    return true;
  }

  /** Distinct users with a live stream in `room` (local presence). */
  usersIn(room: string): string[] {
    const users = new Set<string>();
    for (const c of this.byRoom.get(room) ?? []) if (c.user !== undefined) users.add(c.user);
    return [...users];
  }

  /** The local connections a target reaches. */
  recipients(target: ResolvedTarget): Iterable<Connection> {
    switch (target.kind) {
      case 'all':
        return this.byId.values();
      case 'user':
        return this.byUser.get(target.value) ?? NONE;
      case 'room':
        return this.byRoom.get(target.value) ?? NONE;
      case 'connection': {
        const connection = this.byId.get(target.value);
        return connection ? [connection] : NONE;
      }
    }
  }
}

/** What the registry tells about rooms' members (presence counts live streams per user). */
export interface MembershipObserver {
  joined(user: string, room: string): void;
  left(user: string, room: string): void;
}

/** Whether an entry addressed to `target` is for `connection` (used when replaying). */
export function addresses(target: ResolvedTarget, connection: Connection): boolean {
  switch (target.kind) {
    case 'all':
      return true;
    case 'user':
      return connection.user === target.value;
    case 'room':
      return connection.rooms.has(target.value);
    case 'connection':
      return connection.id === target.value;
  }
}

const NONE: readonly Connection[] = [];

function addTo(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = index.get(key);
  if (set) set.add(connection);
  else index.set(key, new Set([connection]));
}

function removeFrom(
  index: Map<string, Set<Connection>>,
  key: string,
  connection: Connection,
): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) index.delete(key);
}
