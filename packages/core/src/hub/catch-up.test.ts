import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Bus, BusEntry, HistoryResult } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory-bus.js';
import { checkLastEventId, type LastEventIdResult } from '../wire/last-event-id.js';
import { CatchUp } from './catch-up.js';
import { Connection, type ConnectionOwner } from './connection.js';
import { Delivery } from './delivery.js';
import { encodeEnvelope } from './envelope.js';
import { HubReporter } from './hub-reporter.js';
import { HubCounters } from './hub-stats.js';
import { ledgerFor } from './idempotency-ledger.js';
import { Registry } from './registry.js';
import { ReplayWindow } from './replay-window.js';
import type { SseSink } from './response-sink.js';
import { type ResolvedTarget, resolveTarget } from './target.js';

/** A retaining in-process log with positions `h-<n>` (`h-0` is its origin). */
function historyBus(entries: BusEntry[], fail = false): Bus {
  const seq = (position: string): number => Number(position.slice(2));
  return {
    kind: 'history',
    retainsHistory: true,
    start: async () => ({ position: 'h-0' }),
    publish: async () => 'h-0',
    async readAfter(position, limit): Promise<HistoryResult> {
      if (fail) throw new Error('broker down');
      if (!/^h-\d+$/.test(position)) return { ok: false, reason: 'malformed' };
      return { ok: true, entries: entries.slice(seq(position), seq(position) + limit) };
    },
    comparePositions: (a, b) => seq(a) - seq(b),
    close: async () => undefined,
  };
}

/** Catch-up with real parts around it, and streams whose sinks keep what they are sent. */
function setup(bus: Bus, replay: Partial<{ maxEntries: number; maxReplayEntries: number }> = {}) {
  const emitter = new EventEmitter();
  const resets: (string | undefined)[] = [];
  emitter.on('reset', (_connection, reason: string) => resets.push(reason));
  const errors: Error[] = [];
  emitter.on('error', (error: Error) => errors.push(error));
  const window = new ReplayWindow({
    maxEntries: replay.maxEntries ?? 100,
    maxBytes: 1e9,
    maxAgeMs: 1e9,
  });
  const registry = new Registry();
  const delivery = new Delivery(registry, { flushWindowMs: 0, flushBytes: 1e9 });
  const counters = new HubCounters();
  const catchUp = new CatchUp({
    bus,
    window,
    registry,
    delivery,
    counters,
    reporter: new HubReporter(emitter),
    ledger: ledgerFor(bus, { windowMs: 60_000, maxKeys: 100 }),
    replay: {
      maxEntries: 100,
      maxBytes: 1e9,
      maxAgeMs: 1e9,
      historyPageSize: 2,
      maxReplayEntries: replay.maxReplayEntries ?? 1000,
    },
  });
  const owner: ConnectionOwner = {
    limits: { maxQueueItems: 100, maxQueueBytes: 1e9, dropPolicy: 'disconnect' },
    wrote: () => undefined,
    queued: () => undefined,
    dropped: () => undefined,
    drained: () => undefined,
    ended: () => undefined,
  };
  let n = 0;
  const stream = (rooms: string[] = []) => {
    const written: string[] = [];
    const sink: SseSink = {
      writable: true,
      write: (chunk) => written.push(chunk.toString()) > 0,
      end: () => undefined,
      destroy: () => undefined,
    };
    const connection = new Connection(`c${++n}`, undefined, sink, owner);
    for (const room of rooms) connection.addRoom(room);
    /** Everything written to it once the flush ran. */
    const wire = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return written.join('');
    };
    return { connection, wire };
  };
  const append = (position: string, target: ResolvedTarget = resolveTarget(undefined)) =>
    window.append({
      position,
      target,
      frame: Buffer.from(`data: ${position}\nid: ${position}\n\n`),
      at: Date.now(),
    });
  return { catchUp, window, registry, counters, resets, errors, stream, append };
}

const id = (value: string): LastEventIdResult => checkLastEventId(value);
const none: LastEventIdResult = { kind: 'none' };
const ids = (wire: string): string[] => [...wire.matchAll(/^id: (.*)$/gm)].map((m) => m[1]!);

describe('CatchUp', () => {
  it('gives a fresh stream its position as a named event, and makes it live', async () => {
    const { catchUp, window, registry, stream } = setup(createMemoryBus());
    window.setOrigin('e-0');
    const { connection, wire } = stream();
    await catchUp.run(connection, none);
    expect(await wire()).toBe('event: sse-position\ndata: {}\nid: e-0\n\n');
    expect(registry.byId.has(connection.id)).toBe(true);
  });

  it('resets a malformed id with its reason, and still goes live', async () => {
    const { catchUp, window, registry, stream, resets } = setup(createMemoryBus());
    window.setOrigin('e-0');
    const { connection, wire } = stream();
    await catchUp.run(connection, checkLastEventId('has spaces'));
    expect(await wire()).toMatch(/^event: sse-reset\ndata: \{"reason":"malformed-last-event-id/);
    expect(ids(await wire())).toEqual(['e-0']);
    expect(resets).toHaveLength(1);
    expect(registry.byId.has(connection.id)).toBe(true);
  });

  it('replays from the window only what is addressed to the stream, in order', async () => {
    const { catchUp, window, stream, append, counters } = setup(createMemoryBus());
    window.setOrigin('e-0');
    append('e-1');
    append('e-2', resolveTarget({ room: 'other' }));
    append('e-3', resolveTarget({ room: 'mine' }));
    append('e-4');
    const { connection, wire } = stream(['mine']);
    await catchUp.run(connection, id('e-1'));
    expect(ids(await wire())).toEqual(['e-3', 'e-4']);
    expect(counters.replayHits).toBe(1);
    expect(counters.replayedFrames).toBe(2);
  });

  it('resumes from the floor of an empty window with nothing to send', async () => {
    const { catchUp, window, stream, counters, resets } = setup(createMemoryBus());
    window.setOrigin('e-0');
    const { connection, wire } = stream();
    await catchUp.run(connection, id('e-0'));
    expect(await wire()).toBe('');
    expect(counters.replayHits).toBe(1);
    expect(resets).toEqual([]);
  });

  it('resets an id the window does not know when the bus keeps no history', async () => {
    const { catchUp, window, stream, resets } = setup(createMemoryBus());
    window.setOrigin('e-5');
    const { connection, wire } = stream();
    await catchUp.run(connection, id('e-2'));
    expect(resets).toEqual(['unknown-last-event-id']);
    expect(ids(await wire())).toEqual(['e-5']);
  });

  it('reads history page by page to the head, then skips what it already sent', async () => {
    const history = [1, 2, 3, 4, 5].map((n) => ({
      position: `h-${n}`,
      payload: encodeEnvelope({ target: resolveTarget(undefined), event: undefined, data: `${n}` }),
    }));
    // This instance has received nothing it can vouch for yet (no origin: as after a gap),
    // so history is read to the broker's head, and h-4, h-5 still on their way are skipped.
    const { catchUp, stream, counters } = setup(historyBus(history));
    const { connection, wire } = stream();
    await catchUp.run(connection, id('h-1'));
    expect(ids(await wire())).toEqual(['h-2', 'h-3', 'h-4', 'h-5']);
    expect(counters.historyReads).toBe(3);
    expect(catchUp.skipping).toBe(true);
    expect(catchUp.alreadySent(connection, 'h-4')).toBe(true);
    expect(catchUp.alreadySent(connection, 'h-6')).toBe(false);
    expect(catchUp.skipping).toBe(false);
  });

  it('sends what reached this instance while a history read found the head', async () => {
    // This instance lags: the client saw h-2 on another one. The read finds h-2 at the head,
    // and while it is in flight h-2 and h-3 reach this instance, before the stream is live.
    let answer: (result: HistoryResult) => void = () => undefined;
    const bus: Bus = {
      ...historyBus([]),
      retainsHistory: true,
      readAfter: () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    };
    const { catchUp, window, stream, append, registry } = setup(bus, { maxEntries: 1 });
    window.setOrigin('h-0');
    append('h-1');
    const { connection, wire } = stream();
    const run = catchUp.run(connection, id('h-2'));
    append('h-2');
    append('h-3');
    answer({ ok: true, entries: [] });
    await run;
    expect(ids(await wire())).toEqual(['h-3']);
    expect(catchUp.skipping).toBe(false);
    expect(registry.byId.has(connection.id)).toBe(true);
  });

  it('stops reading history where the window takes over', async () => {
    const history = [1, 2, 3, 4, 5].map((n) => ({
      position: `h-${n}`,
      payload: encodeEnvelope({ target: resolveTarget(undefined), event: undefined, data: `${n}` }),
    }));
    const { catchUp, window, stream, counters } = setup(historyBus(history));
    window.setOrigin('h-3'); // this instance started at h-3: h-4, h-5 reach it live
    const { connection, wire } = stream();
    await catchUp.run(connection, id('h-1'));
    expect(ids(await wire())).toEqual(['h-2', 'h-3']);
    expect(counters.historyReads).toBe(1);
    expect(catchUp.skipping).toBe(false);
  });

  it('resets a stream too far behind, and one whose history read fails', async () => {
    const history = Array.from({ length: 10 }, (_, k) => ({
      position: `h-${k + 1}`,
      payload: encodeEnvelope({ target: resolveTarget(undefined), event: undefined, data: 'x' }),
    }));
    const behind = setup(historyBus(history), { maxReplayEntries: 3 });
    behind.window.setOrigin('h-10');
    await behind.catchUp.run(behind.stream().connection, id('h-1'));
    expect(behind.resets).toEqual(['too-far-behind']);

    const failing = setup(historyBus(history, true));
    failing.window.setOrigin('h-10');
    await failing.catchUp.run(failing.stream().connection, id('h-1'));
    expect(failing.resets).toEqual(['history-unavailable']);
    expect(failing.errors.map((e) => e.message)).toEqual(['broker down']);
  });

  it('after a gap, resets every live stream and replays nothing from before it', async () => {
    const { catchUp, window, stream, append, resets } = setup(createMemoryBus());
    window.setOrigin('e-0');
    append('e-1');
    const live = stream();
    await catchUp.run(live.connection, none);
    catchUp.announceGap('test', undefined);
    expect(await live.wire()).toMatch(
      /event: sse-reset\ndata: \{"reason":"bus-gap: test"\}\nid: e-1\n\n$/,
    );
    const late = stream();
    await catchUp.run(late.connection, id('e-0'));
    expect(resets).toEqual(['bus-gap: test', 'unknown-last-event-id']);
  });
});
