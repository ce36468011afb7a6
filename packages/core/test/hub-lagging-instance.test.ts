import { afterEach, describe, expect, it } from 'vitest';
import { type Bus, type BusEntry, type BusListener, createHub } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/**
 * A retaining in-process log whose members can be paused: a paused member receives its
 * backlog only when resumed, like an instance whose broker subscription lags behind.
 */
function createLaggableLog() {
  const entries: BusEntry[] = [];
  const members: { listener: BusListener; paused: boolean; backlog: BusEntry[] }[] = [];
  const seq = (p: string): number => Number(p.slice(2));
  const member = (): Bus & { pause(): void; resume(): void } => {
    const self = {
      listener: undefined as unknown as BusListener,
      paused: false,
      backlog: [] as BusEntry[],
    };
    return {
      kind: 'laggable',
      retainsHistory: true,
      async start(listener) {
        self.listener = listener;
        members.push(self);
        return { position: `e-${entries.length}` };
      },
      async publish(payload) {
        const entry = { position: `e-${entries.length + 1}`, payload };
        entries.push(entry);
        for (const m of members) {
          if (m.paused) m.backlog.push(entry);
          else m.listener.entry(entry);
        }
        return entry.position;
      },
      async readAfter(position, limit) {
        if (!/^e-\d+$/.test(position)) return { ok: false, reason: 'malformed' };
        return { ok: true, entries: entries.slice(seq(position), seq(position) + limit) };
      },
      comparePositions: (a, b) => seq(a) - seq(b),
      async close() {},
      pause() {
        self.paused = true;
      },
      resume() {
        self.paused = false;
        for (const entry of self.backlog.splice(0)) self.listener.entry(entry);
      },
    };
  };
  return { member };
}

describe('reconnecting to an instance that lags behind the broker', () => {
  it('replays from history once and skips the same entries when the lagging feed catches up', async () => {
    const log = createLaggableLog();
    const busA = log.member();
    const busB = log.member();
    const a = createHub({ bus: busA });
    const b = createHub({ bus: busB });
    const serverA = await serveHub(a, cleanup);
    const serverB = await serveHub(b, cleanup);
    await b.ready();
    busB.pause();

    const onA = await openReader(serverA.url, cleanup);
    await waitFor(() => a.stats().connections === 1, 2000, 'the stream on A');
    await a.publish({ data: 1 });
    await a.publish({ data: 2 });
    await onA.waitForEvents(2);
    onA.close();
    await a.publish({ data: 3 });

    const onB = await openReader(serverB.url, cleanup, { 'last-event-id': onA.lastEventId });
    await onB.waitForEvents(1);
    busB.resume();
    await a.publish({ data: 4 });
    await onB.waitForEvents(2);
    expect(onB.events.map((e) => e.data)).toEqual(['3', '4']);
    expect(b.stats().replay.historyReads).toBeGreaterThan(0);
  });
});
