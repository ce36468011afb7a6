import { afterEach, describe, expect, it } from 'vitest';
import {
  createHub,
  createMemoryBus,
  createMemoryLog,
  type Hub,
  type MemoryLog,
  type PresenceChange,
} from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const INTERVAL_MS = 50;
const LEASE_MS = 600;

/** A hub with presence on a shared in-process log, behind a real server; its changes recorded. */
async function instance(log: MemoryLog, name: string) {
  const hub = createHub({
    bus: createMemoryBus({ log }),
    instanceId: name,
    presence: { intervalMs: INTERVAL_MS, leaseMs: LEASE_MS },
  });
  const changes: PresenceChange[] = [];
  hub.on('presence', (change) => changes.push(change));
  const server = await serveHub(hub, cleanup);
  await hub.ready();
  const open = (user: string, room: string) =>
    openReader(`${server.url}/?user=${user}&room=${room}`, cleanup);
  return { hub, changes, open };
}

const online = (hub: Hub, room: string): string[] => [...(hub.presence?.users(room) ?? [])].sort();

describe('presence across instances', () => {
  it('shows who is online on any instance, until their last stream closes', async () => {
    const log = createMemoryLog();
    const a = await instance(log, 'a');
    const b = await instance(log, 'b');
    const alice = await a.open('alice', 'lobby');
    const aliceAgain = await b.open('alice', 'lobby');
    await b.open('bob', 'lobby');
    for (const { hub } of [a, b])
      await waitFor(() => online(hub, 'lobby').length === 2, 2000, 'alice and bob online');
    expect(online(a.hub, 'lobby')).toEqual(['alice', 'bob']);
    alice.close();
    await waitFor(() => a.hub.stats().connections === 0, 2000, 'alice’s first stream to close');
    // Still online through her stream on B: no change reaches anyone.
    const before = a.changes.length;
    aliceAgain.close();
    await waitFor(
      () => a.changes.slice(before).some((c) => c.left.includes('alice')),
      2000,
      'alice to leave once her last stream closed',
    );
    expect(online(a.hub, 'lobby')).toEqual(['bob']);
    expect(a.changes.slice(before)).toEqual([{ room: 'lobby', joined: [], left: ['alice'] }]);
  });

  it('publishes changes, not member lists: 50 joins are a few small notes', async () => {
    const log = createMemoryLog();
    const notes: string[] = [];
    const watcher = createMemoryBus({ log });
    await watcher.start({
      entry: (entry) => {
        if (entry.payload.startsWith('p1\n')) notes.push(entry.payload);
      },
      status: () => undefined,
      gap: () => undefined,
      error: () => undefined,
    });
    cleanup.add(() => watcher.close());
    const a = await instance(log, 'a');
    for (let i = 0; i < 50; i++) await a.open(`user${i}`, 'crowd');
    await waitFor(() => online(a.hub, 'crowd').length === 50, 2000, '50 users online');
    const deltas = notes.filter((n) => n.includes('"delta"'));
    const bytes = deltas.reduce((sum, n) => sum + n.length, 0);
    // One name per join, gathered per interval: linear in the changes, never the room again.
    expect(bytes).toBeLessThan(50 * 20 + deltas.length * 120);
    expect(deltas.length).toBeLessThan(20);
  });

  it('a new instance learns who is online from the others’ snapshots', async () => {
    const log = createMemoryLog();
    const a = await instance(log, 'a');
    await a.open('alice', 'lobby');
    await waitFor(() => online(a.hub, 'lobby').length === 1, 2000, 'alice online on A');
    const late = await instance(log, 'late');
    await waitFor(() => online(late.hub, 'lobby').length === 1, 2000, 'the late instance to learn');
    expect(online(late.hub, 'lobby')).toEqual(['alice']);
  });

  it('members of an instance that says goodbye leave at once, of one that dies within the lease', async () => {
    const log = createMemoryLog();
    const a = await instance(log, 'a');
    const b = await instance(log, 'b');
    const c = await instance(log, 'c');
    await b.open('bob', 'lobby');
    await c.open('carol', 'lobby');
    await waitFor(() => online(a.hub, 'lobby').length === 2, 2000, 'bob and carol online on A');

    await b.hub.shutdown({ announce: false, graceMs: 0 });
    await waitFor(() => !online(a.hub, 'lobby').includes('bob'), 4 * INTERVAL_MS, 'bob to leave');

    // C dies: its bus goes away without a goodbye, so only its silence tells.
    const died = Date.now();
    await c.hub.bus.close();
    await waitFor(
      () => !online(a.hub, 'lobby').includes('carol'),
      LEASE_MS + 4 * INTERVAL_MS,
      'carol to leave within the lease',
    );
    expect(Date.now() - died).toBeGreaterThanOrEqual(LEASE_MS - INTERVAL_MS);
  });
});
