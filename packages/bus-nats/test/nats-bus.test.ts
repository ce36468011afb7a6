import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Bus } from '@sse/core';
import { startRecording, waitFor } from '@sse/core/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBusOptions } from '../src/index.js';

const SHARED = process.env.NATS_URL ?? '127.0.0.1:4222';
const streamPrefix = `SSETEST_${randomBytes(3).toString('hex')}_`;
const open: Bus[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});
afterAll(async () => {
  const nc = await connect({ servers: SHARED });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names())
    if (name.startsWith(streamPrefix)) await jsm.streams.delete(name);
  await nc.close();
});

async function member(options: Partial<NatsBusOptions> = {}) {
  const bus = createNatsBus({
    channel: `ch${++n}`,
    nats: SHARED,
    streamPrefix,
    storage: 'memory',
    ...options,
  });
  open.push(bus);
  return startRecording(bus);
}

describe('NATS JetStream bus', () => {
  it('refuses positions from a stream that was deleted and created again', async () => {
    const channel = `recreated${++n}`;
    const first = await member({ channel });
    const old = await first.bus.publish('old');
    await first.bus.close();
    const nc = await connect({ servers: SHARED });
    await (await jetstreamManager(nc)).streams.delete(`${streamPrefix}${channel}`);
    await nc.close();
    const second = await member({ channel });
    const fresh = await second.bus.publish('new');
    expect(fresh.split(':')[0]).not.toBe(old.split(':')[0]);
    expect(await second.bus.readAfter!(old, 10)).toEqual({ ok: false, reason: 'epoch-mismatch' });
  });

  it('reports trimmed, unknown and malformed positions', async () => {
    const m = await member({ maxMessages: 5 });
    const positions: string[] = [];
    for (let i = 0; i < 12; i++) positions.push(await m.bus.publish(`x${i}`));
    const [epoch] = positions[0]!.split(':');
    expect(await m.bus.readAfter!(positions[0]!, 10)).toEqual({ ok: false, reason: 'trimmed' });
    expect(await m.bus.readAfter!(`${epoch}:999999`, 10)).toEqual({
      ok: false,
      reason: 'unknown-position',
    });
    expect(await m.bus.readAfter!('garbage', 10)).toEqual({ ok: false, reason: 'malformed' });
    expect(await m.bus.readAfter!(positions[9]!, 10)).toEqual({
      ok: true,
      entries: [
        { position: positions[10], payload: 'x10' },
        { position: positions[11], payload: 'x11' },
      ],
    });
    await waitFor(() => m.entries.length === 12, 5000, 'all live entries');
  });

  it('uses a connection the user passed and leaves it open', async () => {
    const nc = await connect({ servers: SHARED });
    const m = await member({ nats: nc });
    await m.bus.publish('via user connection');
    await waitFor(() => m.entries.length === 1, 5000, 'the entry');
    await m.bus.close();
    expect(nc.isClosed()).toBe(false);
    await nc.close();
  });

  it('reports closed, not ready, when the user closes the connection it passed', async () => {
    const nc = await connect({ servers: SHARED });
    const bus = createNatsBus({ channel: `ch${++n}`, nats: nc, streamPrefix, storage: 'memory' });
    open.push(bus);
    const { states } = await startRecording(bus);
    await nc.close();
    await waitFor(() => states.at(-1)?.state === 'closed', 5000, 'the closed state');
    expect(states.at(-1)?.error?.message).toMatch(/closed by its owner/);
  });

  it('rejects a bad channel', () => {
    expect(() => createNatsBus({ channel: 'a.b' })).toThrowError(/channel/);
  });
});
