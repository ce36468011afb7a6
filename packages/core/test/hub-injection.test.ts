import { afterEach, describe, expect, it } from 'vitest';
import { createHub, isSseError } from '../src/index.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const HOSTILE = [
  'plain',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\nbreak',
  'x\n\nevent: forged\ndata: evil\nid: 999\n\n',
  'data: not a field',
  ':comment-looking',
  'retry: 1',
  'nul\0inside',
  '',
  '\n',
  '\r\n\r\n',
];

describe('frame injection, end to end through a real stream and a spec parser', () => {
  it('delivers hostile text as exactly one event each, with no forged event, id or retry', async () => {
    // Identity serializer: raw line breaks reach the encoder, which must split them safely.
    const hub = createHub({ serializer: (data) => String(data), retryMs: 3000 });
    const server = await serveHub(hub, cleanup);
    const reader = await openReader(server.url, cleanup);
    const ids: string[] = [];
    for (const text of HOSTILE) ids.push((await hub.publish({ event: 'chat', data: text })).id);
    await reader.waitForEvents(HOSTILE.length);
    expect(reader.events.map((e) => e.event)).toEqual(HOSTILE.map(() => 'chat'));
    expect(reader.events.map((e) => e.data)).toEqual(
      HOSTILE.map((t) => t.replace(/\r\n|\r/g, '\n')),
    );
    expect(reader.events.map((e) => e.id)).toEqual(ids);
    expect(reader.retry).toBe(3000);
  });

  it.each(['a\nb', 'a\rb', 'x\r\nevent: forged'])(
    'refuses an event name %j and sends nothing',
    async (event) => {
      const hub = createHub();
      const server = await serveHub(hub, cleanup);
      const reader = await openReader(server.url, cleanup);
      const error = await hub.publish({ event, data: 1 }).catch((e: unknown) => e);
      expect(isSseError(error, 'SSE_FRAME_INJECTION')).toBe(true);
      await hub.publish({ data: 'next' });
      await reader.waitForEvents(1);
      expect(reader.events).toHaveLength(1);
      expect(reader.events[0]!.data).toBe('"next"');
    },
  );
});
