import { type PrivateRedis, startPrivateRedis } from '@sse/brokers';
import { isSseError } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../src/index.js';
import { type Member, startMember } from './member.js';

// Behaviour during and after an outage of a private redis-server (nothing persisted, so a
// restart loses every key: the epoch must change).
let redis: PrivateRedis;
const members: Member[] = [];
let counter = 0;

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.bus.close()));
  await redis.start(); // a failed case may leave it stopped
});
afterAll(async () => {
  await redis?.dispose();
});

async function join(
  mode: 'pubsub' | 'streams',
  channel: string,
  publishTimeoutMs = 800,
): Promise<Member> {
  const member = await startMember(
    createRedisBus({ mode, channel, redis: redis.url, publishTimeoutMs }),
  );
  members.push(member);
  return member;
}

async function expectUnavailableWithin(member: Member, boundMs: number): Promise<void> {
  const started = Date.now();
  const error = await member.bus.publish('while down').then(
    () => undefined,
    (reason: unknown) => reason,
  );
  const elapsed = Date.now() - started;
  expect(
    isSseError(error, 'SSE_BUS_UNAVAILABLE'),
    `expected SSE_BUS_UNAVAILABLE, got ${String(error)}`,
  ).toBe(true);
  expect((error as Error).cause).toBeInstanceOf(Error);
  expect(elapsed).toBeLessThan(boundMs + 500);
}

describe.each(['pubsub', 'streams'] as const)('%s mode on a private Redis', (mode) => {
  it('reports the outage through status, fails publish within publishTimeoutMs, then recovers', async () => {
    const channel = `outage-${mode}-${++counter}`;
    const a = await join(mode, channel, 800);
    await a.bus.publish('before');
    await waitFor(() => a.entries.length === 1, 5000, 'the entry published before the outage');
    await redis.kill();
    await waitFor(
      () => a.states.some((s) => s.state === 'reconnecting'),
      5000,
      'a "reconnecting" status',
    );
    await expectUnavailableWithin(a, 800);
    await redis.start();
    await waitFor(
      () => a.states.at(-1)?.state === 'ready',
      10_000,
      'a "ready" status after the restart',
    );
    const position = await a.bus.publish('after');
    await waitFor(
      () => a.entries.some((e) => e.position === position),
      5000,
      'the entry published after the restart',
    );
    expect(a.states.map((s) => s.state)).toEqual(expect.arrayContaining(['reconnecting', 'ready']));
  }, 30_000);

  it('changes the epoch after Redis lost its data, and reports a gap to live members', async () => {
    const channel = `epoch-${mode}-${++counter}`;
    const a = await join(mode, channel);
    const b = await join(mode, channel);
    const old = await a.bus.publish('old');
    await waitFor(() => b.entries.length === 1, 5000, 'member B to receive the first entry');
    await redis.kill();
    await redis.start();
    const fresh = await waitFor(
      () => a.bus.publish('new').catch(() => undefined),
      10_000,
      'a publish after the restart',
      100,
    );
    expect(fresh.split(':')[0]).not.toBe(old.split(':')[0]);
    await waitFor(
      () => b.entries.some((e) => e.position === fresh),
      10_000,
      'member B to receive the new-epoch entry',
    );
    expect(b.gaps.length, `gaps: ${JSON.stringify(b.gaps)}`).toBeGreaterThan(0);
    if (mode === 'streams') {
      const history = await a.bus.readAfter!(old, 10);
      expect(history).toEqual({ ok: false, reason: 'epoch-mismatch' });
    }
  }, 30_000);
});

describe('streams mode: the blocking reader connection drops', () => {
  it('resumes from the last delivered id: no loss, no duplicate', async () => {
    const channel = `reader-drop-${++counter}`;
    const a = await join('streams', channel);
    const b = await join('streams', channel);
    const admin = new Redis(redis.url);
    try {
      const positions: string[] = [];
      for (let i = 0; i < 5; i++) positions.push(await a.bus.publish(`x${i}`));
      await waitFor(() => b.entries.length === 5, 5000, 'member B to receive 5 entries');
      // Kill every connection blocked in XREAD (both members' readers).
      const list = String(await admin.client('LIST'));
      const readers = list.split('\n').filter((line) => /cmd=xread/.test(line));
      expect(readers.length).toBeGreaterThan(0);
      for (const line of readers) await admin.client('KILL', 'ID', /id=(\d+)/.exec(line)![1]!);
      for (let i = 5; i < 15; i++) positions.push(await a.bus.publish(`x${i}`));
      await waitFor(() => b.entries.length >= 15, 10_000, 'member B to receive all 15 entries');
      await new Promise((resolve) => setTimeout(resolve, 100)); // settle: catch a late duplicate
      expect(b.entries.map((e) => e.position)).toEqual(positions);
      expect(a.entries.map((e) => e.position)).toEqual(positions);
    } finally {
      admin.disconnect();
    }
  }, 30_000);
});

describe('pub/sub mode: sequence gaps', () => {
  it('after a resubscribe, reports the gap with the position it resumes from, before later entries', async () => {
    const channel = `resub-${++counter}`;
    const a = await join('pubsub', channel);
    const b = await join('pubsub', channel);
    const admin = new Redis(redis.url);
    try {
      const first = await a.bus.publish('one');
      await waitFor(() => b.entries.length === 1, 5000, 'the first entry');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await waitFor(() => b.gaps.length === 1, 5000, 'the gap after the resubscribe');
      // Nothing was published meanwhile: it resumes right after the first entry.
      expect(b.gaps.map((g) => g.resumeAt)).toEqual([first]);
      await waitFor(() => a.gaps.length === 1, 5000, "the publisher's own resubscribe");
      const second = await a.bus.publish('two');
      await waitFor(() => b.entries.length === 2, 5000, 'the entry after the resubscribe');
      expect(b.timeline).toEqual([first, 'gap', second]);
      expect(b.bus.comparePositions?.(b.gaps[0]!.resumeAt!, second)).toBeLessThan(0);
    } finally {
      admin.disconnect();
    }
  });

  it('reports a gap when a sequence number is skipped', async () => {
    const channel = `seq-gap-${++counter}`;
    const a = await join('pubsub', channel);
    const admin = new Redis(redis.url);
    try {
      await a.bus.publish('one');
      await admin.incr(`sse:{${channel}}:seq`); // a message that was never delivered
      await a.bus.publish('three');
      await waitFor(() => a.entries.length === 2, 5000, 'both entries');
      expect(a.gaps.map((g) => g.reason)).toEqual([
        expect.stringMatching(/sequence jumped from 1 to 3/),
      ]);
    } finally {
      admin.disconnect();
    }
  });
});
