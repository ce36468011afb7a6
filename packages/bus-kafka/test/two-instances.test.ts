import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { PrivateKafka } from '@sse/brokers';
import { SseReader } from '@sse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBroker } from './broker.js';

const topicPrefix = `sse-test-${randomBytes(3).toString('hex')}.`;
let brokers = '';
let own: PrivateKafka | undefined;
const children: ChildProcess[] = [];
const readers: SseReader[] = [];

beforeAll(async () => {
  ({ brokers, own } = await testBroker());
});

afterAll(async () => {
  for (const reader of readers) reader.close();
  for (const child of children) child.disconnect();
  await own?.dispose();
});

/** Starts one app instance in its own process; resolves with its base URL. */
async function instance(env: Record<string, string>): Promise<string> {
  const child = fork(fileURLToPath(new URL('./fixtures/instance.mjs', import.meta.url)), {
    env: { ...process.env, KAFKA_BROKERS: brokers, TOPIC_PREFIX: topicPrefix, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('instance did not start within 40 s')), 40_000);
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

async function publish(base: string, room: string, data: string): Promise<string> {
  const response = await fetch(`${base}/publish?room=${room}&data=${encodeURIComponent(data)}`, {
    method: 'POST',
  });
  return ((await response.json()) as { id: string }).id;
}

async function reader(url: string, headers?: Record<string, string>): Promise<SseReader> {
  const r = await SseReader.open(url, headers);
  readers.push(r);
  return r;
}

describe('two processes on one Kafka', () => {
  it('delivers across instances, and replays on the other instance from Kafka after a reconnect', async () => {
    // B keeps a one-entry window, so what the client missed must come from the stream.
    const [a, b] = await Promise.all([
      instance({ CHANNEL: 'twoproc', WINDOW: '1000' }),
      instance({ CHANNEL: 'twoproc', WINDOW: '1' }),
    ]);
    const onA = await reader(`${a}/events?room=r`);
    // Published on B, received by the client on A.
    const first = await publish(b, 'r', 'from B');
    await onA.waitForEvents(1, 20_000);
    expect(onA.events[0]).toMatchObject({ data: '"from B"', id: first });
    onA.close();

    const missed = [];
    for (const text of ['m1', 'm2', 'm3']) missed.push(await publish(a, 'r', text));
    await publish(a, 'other-room', 'not for this client');
    await publish(b, 'r', 'm4');

    const onB = await reader(`${b}/events?room=r`, { 'last-event-id': onA.lastEventId });
    await onB.waitForEvents(4, 30_000);
    await publish(a, 'r', 'live');
    await onB.waitForEvents(5, 20_000);
    expect(onB.events.map((e) => e.data)).toEqual(['"m1"', '"m2"', '"m3"', '"m4"', '"live"']);
    expect(onB.events.slice(0, 3).map((e) => e.id)).toEqual(missed);
    expect(onB.named('sse-reset')).toEqual([]);
  }, 90_000);
});
