import { toError } from '../errors.js';
import { encodePresence, type PresenceNote } from './control-ops.js';
import type { HubReporter } from './hub-reporter.js';

/** Presence settings (`createHub({ presence })`). */
export interface PresenceOptions {
  /** Local changes are gathered this long, then published as one note. @default 250 */
  readonly intervalMs?: number;
  /**
   * An instance not heard from for this long is taken for dead: its members leave. Every
   * instance says it is alive three times per lease. @default 15000
   */
  readonly leaseMs?: number;
}

/** Who came and went in one room, cluster-wide (the `presence` event). */
export interface PresenceChange {
  readonly room: string;
  /** Users online in the room now who were not (on any instance) before. */
  readonly joined: readonly string[];
  /** Users no longer online in the room on any instance. */
  readonly left: readonly string[];
}

/** What presence needs from the hub. */
export interface PresenceParts {
  readonly instanceId: string;
  /** Appends a note to the bus (every instance, this one included, receives it). */
  readonly publish: (payload: string) => Promise<unknown>;
  readonly reporter: HubReporter;
  /** Tells the application about changes (the hub's `presence` event). */
  readonly changed: (change: PresenceChange) => void;
}

type RoomUsers = Map<string, Set<string>>;

/**
 * Who is online, per room, across every instance. Each instance counts its own live streams
 * per room and user, gathers the changes and publishes them every `intervalMs` as one note on
 * the bus; every instance (the publisher included) applies the notes in bus order. The cost is
 * linear in the changes: a user's second stream, or a join and a leave within one interval,
 * publishes nothing. A user is online while any instance has a stream of theirs in the room.
 *
 * An instance that starts says hello and every other answers with a snapshot of its members
 * (once per start, proportional to its members); a dead one stops beating and its members
 * leave after `leaseMs`; one that shuts down says goodbye (an empty snapshot) and its members
 * leave at once. After a bus gap (notes may be lost) every instance says hello again.
 */
export class Presence {
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  /** This instance's live streams: room → user → streams. */
  private readonly local = new Map<string, Map<string, number>>();
  private joinedSince: RoomUsers = new Map();
  private leftSince: RoomUsers = new Map();
  /** Every instance's members as the notes said: instance → room → users. */
  private readonly byInstance = new Map<string, RoomUsers>();
  /** room → user → instances that have them: the cluster-wide view. */
  private readonly online = new Map<string, Map<string, number>>();
  private readonly lastHeard = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastBeat = 0;
  /** A note failed to reach the bus: publish a whole snapshot once it works again. */
  private resync = false;

  constructor(
    private readonly parts: PresenceParts,
    options: PresenceOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 250;
    this.leaseMs = options.leaseMs ?? 15_000;
  }

  /** Users online in `room` on any instance. */
  users(room: string): string[] {
    return [...(this.online.get(room)?.keys() ?? [])];
  }

  /** Starts the timer and says hello (the others answer with their members). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.send({ kind: 'hello', instance: this.parts.instanceId });
  }

  /** Says goodbye (its members leave everywhere at once) and stops the timer. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.parts
      .publish(encodePresence({ kind: 'snapshot', instance: this.parts.instanceId, rooms: {} }))
      .catch((error: unknown) => this.parts.reporter.error(toError(error)));
  }

  /** After a bus gap notes may be lost: everyone sends a snapshot again. */
  onGap(): void {
    if (this.timer) this.send({ kind: 'hello', instance: this.parts.instanceId });
  }

  /** A live stream of `user` is now in `room` (the registry tells). */
  joined(user: string, room: string): void {
    const users = this.local.get(room) ?? new Map<string, number>();
    this.local.set(room, users);
    const streams = (users.get(user) ?? 0) + 1;
    users.set(user, streams);
    if (streams === 1 && !remove(this.leftSince, room, user)) add(this.joinedSince, room, user);
  }

  /** A live stream of `user` left `room` (or ended). */
  left(user: string, room: string): void {
    const users = this.local.get(room);
    const streams = (users?.get(user) ?? 0) - 1;
    if (!users || streams < 0) return;
    if (streams > 0) {
      users.set(user, streams);
      return;
    }
    users.delete(user);
    if (users.size === 0) this.local.delete(room);
    if (!remove(this.joinedSince, room, user)) add(this.leftSince, room, user);
  }

  /** Applies a note from the bus (this instance's own included). */
  apply(note: PresenceNote, now: number = Date.now()): void {
    this.lastHeard.set(note.instance, now);
    const self = note.instance === this.parts.instanceId;
    if (note.kind === 'hello') {
      if (!self) this.send(this.snapshot());
    } else if (note.kind === 'snapshot') {
      this.replace(note.instance, toRoomUsers(note.rooms));
      if (Object.keys(note.rooms).length === 0 && !self) this.lastHeard.delete(note.instance);
    } else if (note.kind === 'delta') {
      const rooms = this.byInstance.get(note.instance) ?? new Map<string, Set<string>>();
      this.byInstance.set(note.instance, rooms);
      for (const [room, users] of Object.entries(note.joined))
        this.changeAll(room, users, +1, rooms);
      for (const [room, users] of Object.entries(note.left)) this.changeAll(room, users, -1, rooms);
    }
  }

  private tick(now: number = Date.now()): void {
    if (this.resync) {
      this.resync = false;
      this.joinedSince = new Map();
      this.leftSince = new Map();
      this.send(this.snapshot());
    } else if (this.joinedSince.size > 0 || this.leftSince.size > 0) {
      const joined = toRecord(this.joinedSince);
      const left = toRecord(this.leftSince);
      this.joinedSince = new Map();
      this.leftSince = new Map();
      this.send({ kind: 'delta', instance: this.parts.instanceId, joined, left });
    }
    if (now - this.lastBeat >= this.leaseMs / 3) {
      this.lastBeat = now;
      this.send({ kind: 'beat', instance: this.parts.instanceId });
    }
    // Instances not heard from for a lease are gone: their members leave.
    for (const [instance, heard] of this.lastHeard) {
      if (instance === this.parts.instanceId || now - heard <= this.leaseMs) continue;
      this.lastHeard.delete(instance);
      this.replace(instance, new Map());
    }
  }

  private snapshot(): PresenceNote {
    const rooms: Record<string, string[]> = {};
    for (const [room, users] of this.local) rooms[room] = [...users.keys()];
    return { kind: 'snapshot', instance: this.parts.instanceId, rooms };
  }

  private send(note: PresenceNote): void {
    this.parts.publish(encodePresence(note)).catch((error: unknown) => {
      // The others may now miss changes of this instance: a snapshot puts them right.
      this.resync = true;
      this.parts.reporter.error(toError(error));
    });
  }

  /** Replaces what is known of `instance` with `rooms`, reporting who came and went. */
  private replace(instance: string, rooms: RoomUsers): void {
    const before = this.byInstance.get(instance) ?? new Map<string, Set<string>>();
    const after = new Map<string, Set<string>>();
    this.byInstance.set(instance, after);
    for (const [room, users] of before) this.changeAll(room, [...users], -1, before);
    for (const [room, users] of rooms) this.changeAll(room, [...users], +1, after);
    if (after.size === 0) this.byInstance.delete(instance);
  }

  /** Adds (+1) or removes (-1) one instance's `users` in `room`, and reports the changes. */
  private changeAll(
    room: string,
    users: readonly string[],
    delta: 1 | -1,
    instanceRooms: RoomUsers,
  ): void {
    const joined: string[] = [];
    const left: string[] = [];
    const online = this.online.get(room) ?? new Map<string, number>();
    for (const user of users) {
      if (delta > 0 ? !add(instanceRooms, room, user) : !remove(instanceRooms, room, user))
        continue;
      const count = (online.get(user) ?? 0) + delta;
      if (count > 0) online.set(user, count);
      else online.delete(user);
      if (delta > 0 && count === 1) joined.push(user);
      if (delta < 0 && count === 0) left.push(user);
    }
    if (online.size > 0) this.online.set(room, online);
    else this.online.delete(room);
    if (joined.length > 0 || left.length > 0) this.parts.changed({ room, joined, left });
  }
}

/** Adds `user` to `room` in `map`; `false` when it was already there. */
function add(map: RoomUsers, room: string, user: string): boolean {
  const users = map.get(room);
  if (!users) {
    map.set(room, new Set([user]));
    return true;
  }
  if (users.has(user)) return false;
  users.add(user);
  return true;
}

/** Removes `user` from `room` in `map`; `false` when it was not there. */
function remove(map: RoomUsers, room: string, user: string): boolean {
  const users = map.get(room);
  if (!users?.delete(user)) return false;
  if (users.size === 0) map.delete(room);
  return true;
}

function toRecord(map: RoomUsers): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  for (const [room, users] of map) record[room] = [...users];
  return record;
}

function toRoomUsers(record: Readonly<Record<string, readonly string[]>>): RoomUsers {
  const map: RoomUsers = new Map();
  for (const [room, users] of Object.entries(record))
    if (users.length) map.set(room, new Set(users));
  return map;
}
