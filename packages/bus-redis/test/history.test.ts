import { isSseError } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus, type StreamRetention } from '../src/index.js';
import { type Member, startMember } from './member.js';
import { connectShared, deleteKeys, SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const keyPrefix = uniquePrefix();
let admin: Redis;
let counter = 0;
const members: Member[] = [];

beforeAll(async () => {
  admin = await connectShared();
});
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.bus.close()));
});
afterAll(async () => {
  await deleteKeys(admin, keyPrefix);
  admin.disconnect();
});

async function join(options: { retention?: StreamRetention } = {}): Promise<Member> {
  const channel = `history-${++counter}`;
  const member = await startMember(
    createRedisBus({ mode: 'streams', channel, keyPrefix, redis: SHARED_REDIS_URL, ...options }),
  );
  members.push(member);
  return member;
}

describe('streams readAfter()', () => {
  it('says why it cannot read: malformed, epoch-mismatch, unknown-position', async () => {
    const m = await join();
    const position = await m.bus.publish('one');
    const [epoch, id] = position.split(':') as [string, string];
    expect(await m.bus.readAfter!('garbage', 10)).toEqual({ ok: false, reason: 'malformed' });
    expect(await m.bus.readAfter!(`${epoch}:1-2-3`, 10)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await m.bus.readAfter!(`0000000000000000:${id}`, 10)).toEqual({
      ok: false,
      reason: 'epoch-mismatch',
    });
    const [ms] = id.split('-') as [string];
    expect(await m.bus.readAfter!(`${epoch}:${BigInt(ms) + 10_000n}-0`, 10)).toEqual({
      ok: false,
      reason: 'unknown-position',
    });
    expect(await m.bus.readAfter!(position, 10)).toEqual({ ok: true, entries: [] });
  });

  it.each([{ retention: { maxLen: 10 } }, { retention: { maxAgeMs: 1 } }])(
    'says "trimmed" when entries after the position fell out of retention ($retention)',
    async ({ retention }) => {
      const m = await join({ retention });
      const positions: string[] = [];
      // Trimming with "~" drops whole radix-tree nodes (100 entries by default): write well past that.
      for (let i = 0; i < 400; i++) positions.push(await m.bus.publish(`t${i}`));
      expect(await admin.xlen(`${keyPrefix}{history-${counter}}:stream`)).toBeLessThan(400);
      expect(await m.bus.readAfter!(positions[0]!, 10)).toEqual({ ok: false, reason: 'trimmed' });
      const recent = await m.bus.readAfter!(positions[395]!, 10);
      expect(recent.ok && recent.entries.map((e) => e.payload)).toEqual([
        't396',
        't397',
        't398',
        't399',
      ]);
    },
  );

  it('orders positions of one epoch and refuses to order across epochs', async () => {
    const m = await join();
    const first = await m.bus.publish('a');
    const second = await m.bus.publish('b');
    expect(m.bus.comparePositions!(first, second)).toBeLessThan(0);
    expect(m.bus.comparePositions!(second, first)).toBeGreaterThan(0);
    expect(m.bus.comparePositions!(first, first)).toBe(0);
    expect(
      m.bus.comparePositions!(first, `0000000000000000:${second.split(':')[1]}`),
    ).toBeUndefined();
  });
});

describe('connections', () => {
  it('uses your client, duplicates it for reading, and never closes it', async () => {
    const client = new Redis(SHARED_REDIS_URL);
    try {
      for (const mode of ['pubsub', 'streams'] as const) {
        const m = await startMember(
          createRedisBus({ mode, channel: `own-${mode}-${++counter}`, keyPrefix, redis: client }),
        );
        const position = await m.bus.publish('via your client');
        expect(position).toMatch(/^[0-9a-f]{16}:/);
        await waitFor(
          () => m.entries.some((e) => e.position === position),
          5000,
          `${mode}: the entry via your client`,
        );
        await m.bus.close();
        expect(client.status).toBe('ready');
        expect(await client.ping()).toBe('PONG');
        expect(m.states.at(-1)?.state).toBe('closed');
      }
    } finally {
      client.disconnect();
    }
  });

  it('rejects bad options with SSE_INVALID_OPTION', () => {
    const bad = [
      () => createRedisBus({ mode: 'streams', channel: 'a{b}' }),
      () => createRedisBus({ mode: 'pubsub', channel: '' }),
      () => createRedisBus({ mode: 'nope' as 'pubsub', channel: 'a' }),
      () => createRedisBus({ mode: 'streams', channel: 'a', retention: { maxLen: 0 } }),
      () => createRedisBus({ mode: 'streams', channel: 'a', publishTimeoutMs: -1 }),
      () => createRedisBus({ mode: 'streams', channel: 'a', keyPrefix: '{x}' }),
    ];
    for (const create of bad)
      expect(() => create()).toThrow(expect.objectContaining({ code: 'SSE_INVALID_OPTION' }));
  });

  it('fails start() with SSE_BUS_UNAVAILABLE when Redis is unreachable', async () => {
    const bus = createRedisBus({
      mode: 'streams',
      channel: 'x',
      redis: 'redis://127.0.0.1:1',
      connectTimeoutMs: 500,
    });
    const error = await startMember(bus).catch((reason: unknown) => reason);
    expect(isSseError(error, 'SSE_BUS_UNAVAILABLE'), String(error)).toBe(true);
    await bus.close();
  });
});

describe('streams reader behind retention', () => {
  it('reports a gap when entries it never read were trimmed', async () => {
    const channel = `lagging-${++counter}`;
    const options = {
      mode: 'streams',
      channel,
      keyPrefix,
      redis: SHARED_REDIS_URL,
      retention: { maxLen: 10 },
    } as const;
    const writer = await startMember(createRedisBus(options));
    members.push(writer);
    const slow = createRedisBus({ ...options, readBatch: 5 });
    const seen: string[] = [];
    const gaps: string[] = [];
    members.push({
      bus: slow,
      start: { position: '' },
      entries: [],
      states: [],
      gaps: [],
      errors: [],
      timeline: [],
    });
    await slow.start({
      entry: ({ payload }) => {
        // 2 ms of work per entry: this member falls hundreds of entries behind the writer.
        const until = Date.now() + 2;
        while (Date.now() < until);
        seen.push(payload);
      },
      status: () => undefined,
      gap: (reason) => gaps.push(reason),
      error: (error) => {
        throw error;
      },
    });
    await Promise.all(Array.from({ length: 600 }, (_, i) => writer.bus.publish(`w${i}`)));
    await waitFor(() => seen.at(-1) === 'w599', 10_000, 'the slow member to reach the head');
    expect(seen.length).toBeLessThan(600);
    expect(
      gaps.some((g) => /trimmed by retention/.test(g)),
      JSON.stringify(gaps),
    ).toBe(true);
  });
});
