import type { Hub } from '@sse/core';
import type { HistoryTap } from './history-tap.js';

/** Event name of presence updates on the wire. */
export const PRESENCE_EVENT = 'presence';
/** A remote instance's list is trusted this long without a refresh. */
const REMOTE_TTL_MS = 45_000;
const REFRESH_MS = 20_000;

/** What a `presence` event carries. `users` is what the page shows. */
export interface PresenceData {
  readonly room: string;
  readonly users: string[];
  /** The instance that published it, and the users that instance holds locally. */
  readonly instance: string;
  readonly local: string[];
}

/** Keeps room presence across instances and publishes it on changes. */
export interface PresenceTracker {
  /** Publishes the room's presence now (call on connect/disconnect). */
  changed(room: string): void;
  /** Users in a room as this instance knows them (local ∪ fresh remote lists). */
  users(room: string): string[];
  /** Stops the refresh timer. */
  stop(): void;
}

/**
 * Presence that works on one process and across instances.
 *
 * Every `presence` event carries the publisher's *local* users. Each instance reads every
 * presence event from the bus (through the history tap) into a map room → instance → users,
 * and publishes `users` = its local users ∪ the other instances' latest lists. Two
 * instances changing at once can each publish a list without the other's change; an
 * instance that sees a list missing its own users republishes (a correction), so the last
 * event converges. With a broker, each instance refreshes its rooms every 20 s and lists
 * not refreshed for 45 s (a crashed instance) are dropped.
 *
 * @param hub - the hub (local presence comes from `hub.roomUsers`).
 * @param tap - the history tap feeding every room entry.
 * @param options - `refresh: false` on the in-process bus (nothing remote to expire).
 * @returns the tracker.
 */
export function createPresence(
  hub: Hub,
  tap: HistoryTap,
  options: { refresh: boolean; onError: (error: unknown) => void },
): PresenceTracker {
  const self = hub.instanceId;
  const remote = new Map<string, Map<string, { users: string[]; at: number }>>();
  const corrections = new Set<string>();

  const users = (room: string): string[] => {
    const all = new Set(hub.roomUsers(room));
    const now = Date.now();
    for (const [instance, entry] of remote.get(room) ?? []) {
      if (now - entry.at > REMOTE_TTL_MS) remote.get(room)?.delete(instance);
      else for (const user of entry.users) all.add(user);
    }
    return [...all].sort();
  };

  const publish = (room: string): void => {
    const data: PresenceData = {
      room,
      users: users(room),
      instance: self,
      local: hub.roomUsers(room).sort(),
    };
    hub.publish({ to: { room }, event: PRESENCE_EVENT, data }).catch(options.onError);
  };

  tap.onRoomEntry((entry) => {
    if (entry.event !== PRESENCE_EVENT) return;
    let data: PresenceData;
    try {
      data = JSON.parse(entry.data) as PresenceData;
    } catch {
      return;
    }
    if (data.instance === self || !Array.isArray(data.local) || !Array.isArray(data.users)) return;
    let rooms = remote.get(entry.room);
    if (!rooms) {
      rooms = new Map();
      remote.set(entry.room, rooms);
    }
    if (data.local.length === 0) rooms.delete(data.instance);
    else rooms.set(data.instance, { users: data.local.map(String), at: Date.now() });
    const missing = hub.roomUsers(entry.room).some((user) => !data.users.includes(user));
    if (missing && !corrections.has(entry.room)) {
      corrections.add(entry.room);
      // Deferred so a burst of concurrent updates triggers one correction.
      setTimeout(() => {
        corrections.delete(entry.room);
        publish(entry.room);
      }, 20).unref();
    }
  });

  // Rooms that had local streams; refreshed while they still do.
  const localRooms = new Set<string>();
  const timer = options.refresh
    ? setInterval(() => {
        for (const room of localRooms) {
          if (hub.roomUsers(room).length === 0) localRooms.delete(room);
          publish(room);
        }
      }, REFRESH_MS)
    : undefined;
  timer?.unref();

  return {
    changed(room) {
      localRooms.add(room);
      publish(room);
    },
    users,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
