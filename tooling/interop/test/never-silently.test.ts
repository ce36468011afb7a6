import { createHub, type Hub } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { checkHistory, describeVerdict, type PublishedMessage } from '@sse/history';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../src/chromium.js';
import { HubHost } from '../src/hub-host.js';
import {
  browserRoutes,
  type ClientKind,
  chromiumEventSource,
  eventsourcePackage,
  type OutsideClient,
  sseClientChromium,
  sseClientNode,
} from '../src/outside-clients.js';

// A short retry hint keeps reconnects quick; the gate (not timing) decides what a reconnect sees.
const newHub = (): Hub => createHub({ retryMs: 100 });
const DEADLINE_MS = 10_000;

let browser: Browser | undefined;
const kinds: ClientKind[] = [
  chromiumEventSource(() => browser!),
  eventsourcePackage,
  sseClientNode,
  sseClientChromium(() => browser!),
];
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function host(hub: Hub): Promise<HubHost> {
  const served = await new HubHost(hub, browserRoutes).listen();
  cleanups.push(
    () => served.close(),
    () => served.hub.shutdown({ announce: false, graceMs: 50 }),
  );
  return served;
}

async function open(kind: ClientKind, served: HubHost): Promise<OutsideClient> {
  const client = await kind.open(served.url);
  cleanups.push(() => client.close());
  return client;
}

/** Publishes `data` for everyone on the host's current hub, recording it in bus order. */
async function publish(served: HubHost, log: PublishedMessage[], data: string): Promise<void> {
  const { id } = await served.hub.publish({ data });
  log.push({ id, data: JSON.stringify(data) });
}

/**
 * Drops the client's stream from the server side and publishes `messages` while it is away
 * (its reconnect waits at the closed gate), then lets it back and publishes a sentinel. Once
 * the sentinel arrived, everything before it in bus order has either arrived or not.
 */
async function dropAndPublish(
  served: HubHost,
  client: OutsideClient,
  published: PublishedMessage[],
  messages: readonly string[],
): Promise<void> {
  served.closeGate();
  served.dropStreams();
  await waitFor(() => served.streams === 0, DEADLINE_MS, 'the stream to be dropped');
  for (const data of messages) await publish(served, published, data);
  await waitFor(() => served.waiting > 0, DEADLINE_MS, 'the client to reconnect');
  served.openGate();
  await waitFor(() => served.streams === 1, DEADLINE_MS, 'the reconnected stream');
  await publish(served, published, 'sentinel');
  await waitFor(
    async () => (await client.log()).observations.some((o) => o.id === published.at(-1)!.id),
    DEADLINE_MS,
    'the sentinel to arrive',
  );
}

/** Waits until the client holds an id: the stream's first frame has arrived. */
const positioned = (client: OutsideClient): Promise<boolean> =>
  waitFor(
    async () => (await client.log()).lastEventId !== '',
    DEADLINE_MS,
    "the stream's first id (every fresh stream must carry a position)",
  );

describe.each(kinds)('never silently, read by $name', (kind) => {
  it('a stream opened before anything was published resumes without loss', async () => {
    const served = await host(newHub());
    const client = await open(kind, served);
    await positioned(client);
    const published: PublishedMessage[] = [];
    await dropAndPublish(served, client, published, ['one', 'two', 'three']);
    const verdict = checkHistory(published, (await client.log()).observations);
    expect(verdict.lost, describeVerdict(verdict)).toEqual([]);
    expect(verdict.delivered).toHaveLength(4);
    expect(verdict).toMatchObject({ duplicated: [], reordered: [], resets: 0 });
  });

  it('after a restart, the reset carries a position, and the next drop loses nothing', async () => {
    const served = await host(newHub());
    const client = await open(kind, served);
    await positioned(client);
    await publish(served, [], 'before the restart');
    await waitFor(
      async () => (await client.log()).observations.length === 1,
      DEADLINE_MS,
      'the first message',
    );

    // A restart as the client sees it: same address, a new process (a new epoch).
    served.swap(newHub());
    await waitFor(
      async () => (await client.log()).observations.some((o) => o.kind === 'reset'),
      DEADLINE_MS,
      'the reset after the restart',
    );
    const reset = (await client.log()).observations.find((o) => o.kind === 'reset')!;
    expect(reset.id).not.toBe('');

    const published: PublishedMessage[] = [];
    await dropAndPublish(served, client, published, ['one', 'two', 'three']);
    const after = (await client.log()).observations.slice(2);
    const verdict = checkHistory(published, after);
    expect(verdict.lost, describeVerdict(verdict)).toEqual([]);
    expect(verdict.delivered).toHaveLength(4);
  });

  it('a stream opened with history present resumes from the head, not before it', async () => {
    const served = await host(newHub());
    await publish(served, [], 'old 1');
    await publish(served, [], 'old 2');
    const client = await open(kind, served);
    await positioned(client);
    const published: PublishedMessage[] = [];
    await dropAndPublish(served, client, published, ['one', 'two', 'three']);
    const verdict = checkHistory(published, (await client.log()).observations);
    expect(verdict.lost, describeVerdict(verdict)).toEqual([]);
    expect(verdict).toMatchObject({ unexpected: [], duplicated: [], resets: 0 });
    expect(verdict.delivered).toHaveLength(4);
  });
});
