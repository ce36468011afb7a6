import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type PrivateNats, startPrivateNats } from '@sse/brokers';
import { type Bus, createHub, isSseError } from '@sse/core';
import { startRecording, waitFor } from '@sse/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBusOptions } from '../src/index.js';

const SHARED = process.env.NATS_URL ?? '127.0.0.1:4222';
const streamPrefix = `SSEIDEM_${randomBytes(3).toString('hex')}_`;
const open: Bus[] = [];
let n = 0;

// A private nats-server that a case freezes (SIGSTOP) while a publish is in flight, so that
// the acknowledgement comes after publishTimeoutMs from a server that stored the message.
let frozenNats: PrivateNats | undefined;

beforeAll(async () => {
  frozenNats = await startPrivateNats();
});

afterEach(async () => {
  frozenNats?.resume();
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});

afterAll(async () => {
  await frozenNats?.dispose();
  const nc = await connect({ servers: SHARED });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names())
    if (name.startsWith(streamPrefix)) await jsm.streams.delete(name);
  await nc.close();
});

function bus(options: Partial<NatsBusOptions> = {}): Bus {
  const created = createNatsBus({
    channel: `idem${++n}`,
    nats: SHARED,
    streamPrefix,
    storage: 'memory',
    ...options,
  });
  open.push(created);
  return created;
}

async function duplicateWindowOf(channel: string): Promise<number | undefined> {
  const nc = await connect({ servers: SHARED });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(`${streamPrefix}${channel}`);
    return info.config.duplicate_window;
  } finally {
    await nc.close();
  }
}

describe('NATS JetStream idempotency', () => {
  it("sets the stream's duplicate window from the hub's idempotency window", async () => {
    const channel = `window${++n}`;
    const hub = createHub({ bus: bus({ channel }), idempotency: { windowMs: 123_000 } });
    await hub.ready();
    expect(await duplicateWindowOf(channel)).toBe(123_000 * 1_000_000);
    await hub.shutdown({ announce: false });
    // Another start with another window updates the existing stream.
    await startRecording(bus({ channel }), { idempotencyWindowMs: 45_000 });
    expect(await duplicateWindowOf(channel)).toBe(45_000 * 1_000_000);
  });

  it('refuses at start a window longer than maxAgeMs, with SSE_INVALID_OPTION', async () => {
    const hub = createHub({
      bus: bus({ maxAgeMs: 60_000 }),
      idempotency: { windowMs: 120_000 },
    });
    const refused = await hub.ready().catch((error: unknown) => error);
    expect(isSseError(refused, 'SSE_INVALID_OPTION'), String(refused)).toBe(true);
    expect(String((refused as Error).message)).toContain('maxAgeMs');
  });

  it('a keyed publish whose acknowledgement came too late: the retry gets its position, nothing is stored twice', async () => {
    const channel = `frozen${++n}`;
    const options = {
      channel,
      nats: frozenNats!.url,
      publishTimeoutMs: 500,
      storage: 'file' as const,
    };
    const a = await startRecording(bus(options));
    const b = await startRecording(bus(options));
    await a.bus.publish('warm-up');
    const key = `k-${randomUUID()}`;
    frozenNats!.pause();
    const failed = await a.bus.publishOnce!('hello', { key }).then(
      () => new Error('the publish did not fail while NATS was frozen'),
      (error: unknown) => error,
    );
    frozenNats!.resume();
    expect(isSseError(failed, 'SSE_BUS_UNAVAILABLE'), String(failed)).toBe(true);
    await waitFor(() => b.entries.length === 2, 10_000, 'the message stored after all');
    const retry = await a.bus.publishOnce!('hello again', { key });
    expect(retry).toEqual({ position: b.entries[1]!.position, duplicate: true });
    await a.bus.publish('marker');
    for (const m of [a, b]) {
      await waitFor(() => m.entries.length === 3, 10_000, 'the marker');
      expect(m.entries.map((e) => e.payload)).toEqual(['warm-up', 'hello', 'marker']);
    }
  });
});
