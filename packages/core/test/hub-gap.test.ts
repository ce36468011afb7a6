import { afterEach, describe, expect, it } from 'vitest';
import {
  type Bus,
  type BusListener,
  createHub,
  createMemoryBus,
  isSseError,
  RESET_EVENT,
} from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** The in-process bus, with a way to report a gap as a broker-backed bus would. */
function gappyBus(): Bus & { gap(reason: string, resumeAt?: string): void } {
  const inner = createMemoryBus();
  let listener: BusListener | undefined;
  return {
    kind: 'gappy',
    retainsHistory: false,
    start(target) {
      listener = target;
      return inner.start(target);
    },
    publish: (payload) => inner.publish(payload),
    comparePositions: (a, b) => inner.comparePositions!(a, b),
    close: () => inner.close(),
    gap(reason, resumeAt) {
      listener!.gap!(reason, resumeAt);
    },
  };
}

describe('a gap the bus reports', () => {
  it('is never replayed across: a stream that resumes from before it gets a reset', async () => {
    const bus = gappyBus();
    const hub = createHub({ bus });
    const server = await serveHub(hub, cleanup);
    const away = await openReader(server.url, cleanup);
    await hub.publish({ data: 'seen' });
    await away.waitForEvents(1);
    away.close();
    await waitFor(() => hub.stats().connections === 0, 2000, 'the stream to close');
    await hub.publish({ data: 'before the gap' });
    bus.gap('test gap');
    await hub.publish({ data: 'after the gap' });

    const back = await openReader(server.url, cleanup, { 'last-event-id': away.lastEventId });
    await back.waitForEvents(1);
    // Replaying "before the gap" and "after the gap" would hide what the gap lost.
    expect(back.events[0]).toMatchObject({ event: RESET_EVENT });
    expect(back.events[0]!.id).not.toBe('');
    expect(hub.stats().bus.gaps).toBe(1);
  });

  it('gives live streams the position the bus resumes from, and resumes them from it', async () => {
    const bus = gappyBus();
    const hub = createHub({ bus });
    const server = await serveHub(hub, cleanup);
    const live = await openReader(server.url, cleanup);
    await waitFor(() => live.positions.length === 1, 2000, 'the first position');
    await hub.publish({ data: 'one' });
    await live.waitForEvents(1);
    const resumeAt = live.lastEventId; // a real position, so the in-process bus can go on
    bus.gap('test gap', resumeAt);
    await live.waitForEvents(2);
    expect(live.events[1]).toMatchObject({ event: RESET_EVENT, id: resumeAt });
    live.close();
    await waitFor(() => hub.stats().connections === 0, 2000, 'the stream to close');
    await hub.publish({ data: 'two' });
    const back = await openReader(server.url, cleanup, { 'last-event-id': resumeAt });
    await back.waitForEvents(1);
    expect(back.events.map((e) => e.data)).toEqual(['"two"']);
  });
});

describe('a bus that does not say where its log starts', () => {
  it('fails the hub start with SSE_BUS_PROTOCOL and is closed', async () => {
    let closed = false;
    const bus: Bus = {
      kind: 'old-style',
      retainsHistory: false,
      start: async () => undefined as never,
      publish: async () => 'x-1',
      close: async () => {
        closed = true;
      },
    };
    const hub = createHub({ bus });
    const error = await hub.ready().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isSseError(error, 'SSE_BUS_PROTOCOL')).toBe(true);
    expect((error as Error).message).toMatch(/position/);
    await waitFor(() => closed, 2000, 'the bus to be closed');
  });
});
