import { createHub, createMemoryBus, createMemoryLog } from '@sse/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHistoryTap } from '../src/history-tap.js';

const hubs: ReturnType<typeof createHub>[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.shutdown({ graceMs: 0 });
});

function setup(windowEntries: number, perRoom = 50) {
  const tap = createHistoryTap(createMemoryBus(), { windowEntries, perRoom });
  const hub = createHub({ bus: tap.bus, replay: { maxEntries: windowEntries } });
  hubs.push(hub);
  const say = async (room: string, text: string): Promise<string> =>
    (await hub.publish({ to: { room }, event: 'message', data: { text } })).id;
  return { tap, hub, say };
}

describe('history tap', () => {
  it('anchors a room on the entry just before its oldest remembered message', async () => {
    const { tap, hub, say } = setup(100);
    expect(tap.historyStart('a')).toBeUndefined();
    const boot = (await hub.publish({ to: { connection: 'nobody' }, event: 'boot', data: 1 })).id;
    const m1 = await say('a', 'm1');
    await say('b', 'other room');
    await say('a', 'm3');
    expect(tap.historyStart('a')).toBe(boot);
    // Room b's only message comes right after a's first one.
    expect(tap.historyStart('b')).toBe(m1);
    // Presence and other events are not history.
    await hub.publish({ to: { room: 'c' }, event: 'presence', data: { users: [] } });
    expect(tap.historyStart('c')).toBeUndefined();
  });

  it('keeps only the last perRoom messages', async () => {
    const { tap, say } = setup(100, 2);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await say('a', `m${i}`));
    // Last two messages are m3 and m4: the anchor is m2.
    expect(tap.historyStart('a')).toBe(ids[2]);
  });

  it('forgets anchors that the replay window has evicted', async () => {
    const { tap, say } = setup(5);
    await say('x', 'first');
    await say('a', 'm1');
    expect(tap.historyStart('a')).toBeDefined();
    for (let i = 0; i < 5; i++) await say('b', `noise ${i}`);
    expect(tap.historyStart('a')).toBeUndefined();
  });

  it('feeds every room entry to listeners', async () => {
    const { tap, hub } = setup(10);
    const seen: string[] = [];
    tap.onRoomEntry((entry) => seen.push(`${entry.room}/${entry.event}/${entry.data}`));
    await hub.publish({ to: { room: 'r1' }, event: 'presence', data: { n: 1 } });
    await hub.publish({ to: 'all', event: 'x', data: 2 });
    expect(seen).toEqual(['r1/presence/{"n":1}']);
  });

  it('reads messages with an idempotency key, and passes publishOnce on to the bus', async () => {
    const log = createMemoryLog();
    const first = createHistoryTap(createMemoryBus({ log }), { windowEntries: 100 });
    const hub = createHub({ bus: first.bus });
    hubs.push(hub);
    const seen: string[] = [];
    first.onRoomEntry((entry) => seen.push(`${entry.room}/${entry.event}/${entry.data}`));
    const boot = (await hub.publish({ to: { connection: 'nobody' }, event: 'boot', data: 1 })).id;
    const message = { to: { room: 'a' }, event: 'message', data: 'hi', idempotencyKey: 'k-1' };
    const sent = await hub.publish(message);
    expect(seen).toEqual(['a/message/"hi"']);
    expect(first.historyStart('a')).toBe(boot);
    // A hub started later never saw the message: only the bus (through the tap) can tell it
    // that the retry is a repeat.
    const later = createHub({
      bus: createHistoryTap(createMemoryBus({ log }), { windowEntries: 100 }).bus,
    });
    hubs.push(later);
    expect(await later.publish(message)).toMatchObject({ id: sent.id, duplicate: true });
  });
});
