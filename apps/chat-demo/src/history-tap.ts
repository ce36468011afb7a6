import type { Bus, BusBase, BusEntry } from '@sse/core';

/** A bus entry addressed to a room, as the tap sees it. */
export interface RoomEntry {
  readonly room: string;
  readonly event: string | undefined;
  readonly data: string;
  readonly position: string;
}

/** Per-room history anchors and a feed of room entries, built from every bus entry. */
export interface HistoryTap {
  /** The bus to give the hub: the original, with every delivered entry observed on the way. */
  readonly bus: Bus;
  /**
   * A position to use as the Last-Event-ID of a fresh stream in `room`: the entry just
   * before the room's oldest remembered message, so the hub replays the recent history
   * (from its window, or from the bus for retaining buses). `undefined` when the room has
   * no history yet.
   */
  historyStart(room: string): string | undefined;
  /** Called for every entry addressed to a room (presence sync uses it). */
  onRoomEntry(listener: (entry: RoomEntry) => void): void;
}

/** Options for {@link createHistoryTap}. */
export interface HistoryTapOptions {
  /** Messages per room replayed on join. @default 50 */
  readonly perRoom?: number;
  /**
   * Entries the hub's replay window holds (its `replay.maxEntries`). Anchors older than
   * that are forgotten, so a join never asks for a position the window has evicted.
   */
  readonly windowEntries: number;
  /** The event name of chat messages. @default 'message' */
  readonly messageEvent?: string;
}

/**
 * Wraps a bus so the application sees the ordered log the hub sees.
 *
 * Why: the hub keeps recent messages in its replay window and replays everything after a
 * Last-Event-ID, but exposes no per-entry hook. Knowing the position *before* each room
 * message lets a fresh stream start from there, so "history on join" is the hub's own
 * replay, not a separate query. The room is read from the `@sse/core` envelope header
 * (`1 r <len> <len>\n<room>…`, or `2 r <len> <len> <keyLen> <at>\n<room>…` for a message
 * with an idempotency key, see core's envelope.ts); anything else is ignored.
 *
 * @param inner - the real bus.
 * @param options - sizes.
 * @returns the tap.
 */
export function createHistoryTap(inner: Bus, options: HistoryTapOptions): HistoryTap {
  const perRoom = options.perRoom ?? 50;
  const messageEvent = options.messageEvent ?? 'message';
  // Global order: absolute index of every entry, so anchors can be aged out like the window.
  let count = 0;
  let previous: string | undefined;
  const rooms = new Map<string, { anchor: string; index: number }[]>();
  const listeners: ((entry: RoomEntry) => void)[] = [];

  const observe = (entry: BusEntry): void => {
    const before = previous;
    previous = entry.position;
    const index = count++;
    const parsed = parseRoomEntry(entry);
    if (!parsed) return;
    for (const listener of listeners) listener(parsed);
    if (parsed.event !== messageEvent || before === undefined) return;
    let list = rooms.get(parsed.room);
    if (!list) {
      list = [];
      rooms.set(parsed.room, list);
    }
    list.push({ anchor: before, index });
    if (list.length > perRoom) list.shift();
  };

  const tapped: BusBase = {
    kind: inner.kind,
    retainsHistory: inner.retainsHistory,
    // Start options and publishOnce pass through: without them the hub would fall back to
    // filtering repeats itself, weaker than the broker refusing them.
    start: async (listener, startOptions) => {
      const start = await inner.start(
        {
          entry: (entry) => {
            observe(entry);
            listener.entry(entry);
          },
          status: listener.status.bind(listener),
          gap: listener.gap.bind(listener),
          error: listener.error.bind(listener),
        },
        startOptions,
      );
      // The first message's anchor is the log's position when the subscription began.
      previous ??= start.position;
      return start;
    },
    publish: (payload) => inner.publish(payload),
    ...(inner.deduplicates && inner.publishOnce
      ? { deduplicates: true, publishOnce: inner.publishOnce.bind(inner) }
      : {}),
    close: () => inner.close(),
    ...(inner.comparePositions ? { comparePositions: inner.comparePositions.bind(inner) } : {}),
  };
  // History reads pass through untouched: the tap only watches live entries.
  const bus: Bus = inner.retainsHistory
    ? { ...tapped, retainsHistory: true, readAfter: inner.readAfter.bind(inner) }
    : { ...tapped, retainsHistory: false };

  return {
    bus,
    historyStart(room) {
      const list = rooms.get(room);
      if (!list) return undefined;
      // The anchor is the entry *before* the message, one index earlier; it must still be
      // inside the window (the hub counts the same entries, except repeats of an idempotency
      // key that it drops on a bus like Kafka: then anchors are forgotten a little early).
      const oldest = count - options.windowEntries + 1;
      while (list.length > 0 && list[0]!.index - 1 < oldest) list.shift();
      return list[0]?.anchor;
    },
    onRoomEntry(listener) {
      listeners.push(listener);
    },
  };
}

function parseRoomEntry(entry: BusEntry): RoomEntry | undefined {
  const payload = entry.payload;
  const newline = payload.indexOf('\n');
  if (newline === -1 || newline > 64) return undefined;
  const header = payload.slice(0, newline).split(' ');
  const keyed = header[0] === '2' && header.length === 6;
  if (!(keyed || (header[0] === '1' && header.length === 4)) || header[1] !== 'r') return undefined;
  const roomLength = Number(header[2]);
  const eventLength = Number(header[3]);
  const keyLength = keyed ? Number(header[4]) : 0;
  if (![roomLength, eventLength, keyLength].every(Number.isSafeInteger)) return undefined;
  const roomStart = newline + 1;
  const eventStart = roomStart + roomLength;
  const keyStart = eventStart + Math.max(eventLength, 0);
  const dataStart = keyStart + keyLength;
  return {
    room: payload.slice(roomStart, eventStart),
    event: eventLength < 0 ? undefined : payload.slice(eventStart, keyStart),
    data: payload.slice(dataStart),
    position: entry.position,
  };
}
