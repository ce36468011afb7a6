import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SseReader, waitFor } from '@sse/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectShared, deleteKeys, SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const keyPrefix = uniquePrefix();
const children: ChildProcess[] = [];
const readers: SseReader[] = [];
let admin: Redis;

interface Instance {
  readonly url: string;
  publish(text: string): Promise<string>;
}

async function startInstance(): Promise<Instance> {
  const child = fork(fileURLToPath(new URL('./fixtures/instance.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      REDIS_URL: SHARED_REDIS_URL,
      KEY_PREFIX: keyPrefix,
      CHANNEL: 'two',
      REPLAY_MAX: '2',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const listening = Promise.race([
    once(child, 'message') as Promise<[{ port: number }]>,
    once(child, 'exit').then(([code]) => {
      throw new Error(`the instance exited with code ${String(code)} before listening`);
    }),
  ]);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [{ port }] = await listening.finally(() => clearTimeout(timer));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async publish(text: string): Promise<string> {
      const response = await fetch(`${url}/publish?text=${encodeURIComponent(text)}`, {
        method: 'POST',
      });
      if (!response.ok)
        throw new Error(`publish failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
  };
}

beforeAll(async () => {
  admin = await connectShared();
}, 20_000);

afterAll(async () => {
  for (const reader of readers) reader.close();
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
  await deleteKeys(admin, keyPrefix);
  admin.disconnect();
});

const messages = (reader: SseReader): { id: string; data: string }[] =>
  reader.named('msg').map((e) => ({ id: e.id, data: JSON.parse(e.data) as string }));

describe('two instances on the Redis streams bus', () => {
  it('delivers across instances, and replays exactly what a client missed from Redis on the other instance', async () => {
    const [a, b] = await Promise.all([startInstance(), startInstance()]);
    const onA = await SseReader.open(`${a.url}/events`);
    readers.push(onA);
    const live: string[] = [];
    for (let i = 0; i < 3; i++) live.push(await b.publish(`live-${i}`));
    await waitFor(
      () => messages(onA).length === 3,
      10_000,
      'the client on A to receive 3 messages published on B',
    );
    expect(messages(onA)).toEqual(live.map((id, i) => ({ id, data: `live-${i}` })));
    const lastSeen = onA.lastEventId;
    expect(lastSeen).toBe(live[2]);
    onA.close();

    // Missed while disconnected: 5 messages, more than B's in-memory window of 2.
    const missed: string[] = [];
    for (let i = 0; i < 5; i++) missed.push(await (i % 2 ? a : b).publish(`missed-${i}`));

    const onB = await SseReader.open(`${b.url}/events`, { 'last-event-id': lastSeen });
    readers.push(onB);
    await waitFor(
      () => messages(onB).length >= 5,
      10_000,
      'the client on B to receive the 5 missed messages',
    );
    const after = await a.publish('after');
    await waitFor(
      () => messages(onB).length >= 6,
      10_000,
      'the client on B to receive the live message after replay',
    );
    expect(messages(onB)).toEqual([
      ...missed.map((id, i) => ({ id, data: `missed-${i}` })),
      { id: after, data: 'after' },
    ]);
    expect(onB.named('sse-reset')).toEqual([]);
  }, 40_000);

  it('sends a reset for a Last-Event-ID of a foreign epoch', async () => {
    const instance = await startInstance();
    const position = await instance.publish('x');
    const foreign = `0000000000000000:${position.split(':')[1]}`;
    const reader = await SseReader.open(`${instance.url}/events`, { 'last-event-id': foreign });
    readers.push(reader);
    await waitFor(() => reader.named('sse-reset').length === 1, 10_000, 'an sse-reset event');
  }, 30_000);
});
