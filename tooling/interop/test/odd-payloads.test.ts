import http from 'node:http';
import { createHub } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../src/chromium.js';
import { HubHost } from '../src/hub-host.js';
import {
  browserRoutes,
  type ClientKind,
  chromiumEventSource,
  eventsourcePackage,
  sseClientChromium,
  sseClientNode,
} from '../src/outside-clients.js';

// Text that a careless encoder or parser gets wrong. With a plain-text serializer each one
// reaches the wire as is: line breaks of all three kinds, things that look like fields or
// frames, leading spaces and colons, NUL, BOM, lone surrogates' neighbours, long lines.
const ODD: readonly string[] = [
  '',
  ' ',
  '  two leading spaces',
  ':starts with a colon',
  'data: looks like a field',
  'line one\nline two',
  'cr\ronly',
  'crlf\r\nbetween',
  '\n',
  '\r\n\r\n',
  'trailing newline\n',
  'event: forged\nid: 999\nretry: 1\n\ndata: forged frame',
  'nul \0 in the middle',
  '\uFEFFbom at the start',
  'émoji 🚀 中文 עברית \u2028\u2029',
  'x'.repeat(70_000),
];

/** What a spec-following client must hand the app: every CR, LF and CRLF became one LF. */
const expected = (payload: string): string => payload.replace(/\r\n|\r/g, '\n');

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

async function textHost(): Promise<HubHost> {
  const served = await new HubHost(createHub({ serializer: String }), browserRoutes).listen();
  cleanups.push(
    () => served.close(),
    () => served.hub.shutdown({ announce: false, graceMs: 50 }),
  );
  return served;
}

describe.each(kinds)('odd payloads, read by $name', (kind) => {
  it('arrive as exactly one event each, with the data a spec parser must produce', async () => {
    const served = await textHost();
    const client = await kind.open(served.url);
    cleanups.push(() => client.close());
    await waitFor(async () => (await client.log()).lastEventId !== '', 10_000, 'a first id');
    const ids: string[] = [];
    for (const payload of [...ODD, 'sentinel'])
      ids.push((await served.hub.publish({ data: payload })).id);
    await waitFor(
      async () => (await client.log()).observations.some((o) => o.id === ids.at(-1)),
      10_000,
      'the sentinel',
    );
    const seen = (await client.log()).observations;
    expect(seen.map((o) => o.kind)).toEqual(ids.map(() => 'message'));
    expect(seen.map((o) => o.id)).toEqual(ids);
    expect(seen.map((o) => o.kind === 'message' && o.data)).toEqual(
      [...ODD, 'sentinel'].map(expected),
    );
  });
});

describe('odd payloads, read by eventsource-parser over a plain node:http request', () => {
  it('parses the same events from the raw bytes, however they are cut', async () => {
    const served = await textHost();
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    let raw = '';
    const request = http.get(`${served.url}/events`, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        raw += chunk;
        // Re-cut what arrived into small random pieces: a parser must not care.
        for (let at = 0; at < chunk.length; ) {
          const size = 1 + Math.floor(Math.random() * 7);
          parser.feed(chunk.slice(at, at + size));
          at += size;
        }
      });
    });
    cleanups.push(() => {
      request.destroy();
    });
    await waitFor(() => raw.includes('sse-position'), 10_000, 'the first frames');
    const ids: string[] = [];
    for (const payload of [...ODD, 'sentinel'])
      ids.push((await served.hub.publish({ data: payload })).id);
    await waitFor(() => events.some((e) => e.id === ids.at(-1)), 10_000, 'the sentinel');
    const messages = events.filter((e) => e.event === undefined);
    expect(messages.map((e) => e.id)).toEqual(ids);
    expect(messages.map((e) => e.data)).toEqual([...ODD, 'sentinel'].map(expected));
    // The position event carries the stream's first id and is the only other event.
    expect(events.filter((e) => e.event !== undefined).map((e) => e.event)).toEqual([
      'sse-position',
    ]);
  });
});
