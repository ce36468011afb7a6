import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../src/http-failure.js';
import { createEventStreamParser } from '../src/parser/event-stream-parser.js';
import { readBody } from '../src/parser/read-body.js';
import type { ParseResult } from './helpers/spec-parser.js';
import { parseWholeStream } from './helpers/spec-parser.js';

// What the web-platform-tests `eventsource/format-*` files check, restated as streams and
// expectations of our own. Each `wire` is what the WPT server script sends: its message, then
// "\n\n\n" by default, or "\n" where the test asks for `newline=none`. Browsers pass these;
// so must the parser, for every way the stream can be cut into chunks.
// https://github.com/web-platform-tests/wpt/tree/master/eventsource

interface WptCase {
  /** The WPT file the case restates. */
  readonly file: string;
  readonly wire: string;
  /** [type, data, lastEventId] of each dispatched event. */
  readonly events: readonly (readonly [string, string, string])[];
  readonly retries?: readonly number[];
  /** The last event ID string when the stream ends. @default the last event's */
  readonly lastEventId?: string;
}

const x2048 = 'x'.repeat(2048);

const CASES: readonly WptCase[] = [
  {
    file: 'format-bom',
    // Only the first BOM is dropped; the second turns "data" into an unknown field name.
    wire: '\uFEFFdata:1\n\n\uFEFFdata:2\n\ndata:3\n\n\n',
    events: [
      ['message', '1', ''],
      ['message', '3', ''],
    ],
  },
  {
    file: 'format-bom-2',
    wire: '\uFEFF\uFEFFdata:1\n\ndata:2\n\ndata:3\n\n\n',
    events: [
      ['message', '2', ''],
      ['message', '3', ''],
    ],
  },
  {
    file: 'format-comments',
    // Comments after every kind of line ending, a NUL and 2 KiB inside comments.
    wire: `data:1\r:\0\n:\r\ndata:2\n:${x2048}\rdata:3\n:data:fail\r:${x2048}\ndata:4\n\n`,
    events: [['message', '1\n2\n3\n4', '']],
  },
  {
    file: 'format-data-before-final-empty-line',
    // The stream ends before the blank line: that frame, and its id, never count.
    wire: 'retry:1000\ndata:test1\n\nid:test\ndata:test2\n',
    events: [['message', 'test1', '']],
    retries: [1000],
    lastEventId: '',
  },
  {
    file: 'format-field-data',
    wire: 'data:\n\ndata\ndata\n\ndata:test\n\n\n',
    events: [
      ['message', '', ''],
      ['message', '\n', ''],
      ['message', 'test', ''],
    ],
  },
  {
    file: 'format-field-event',
    wire: 'event:test\ndata:x\n\ndata:x\n\n\n',
    events: [
      ['test', 'x', ''],
      ['message', 'x', ''],
    ],
  },
  {
    file: 'format-field-event-empty',
    // "event: " is an empty type after the one space: the event is a "message".
    wire: 'event: \ndata:data\n\n\n',
    events: [['message', 'data', '']],
  },
  {
    file: 'format-field-id (first answer)',
    // Non-ASCII ids are fine; the reconnect must send them back (see reconnect.test.ts).
    wire: 'id: \u2026\nretry: 200\ndata: hello\n\n',
    events: [['message', 'hello', '\u2026']],
    retries: [200],
  },
  {
    file: 'format-field-id-3 (persists)',
    wire: 'id: 1\ndata: 1\n\ndata:2\n\n',
    events: [
      ['message', '1', '1'],
      ['message', '2', '1'],
    ],
  },
  {
    file: 'format-field-id-3 (changes and persists)',
    wire: 'id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n',
    events: [
      ['message', '1', '1'],
      ['message', '2', '2'],
      ['message', '3', '2'],
    ],
  },
  {
    file: 'format-field-id-3 (resets)',
    wire: 'id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n',
    events: [
      ['message', '1', '1'],
      ['message', '2', ''],
      ['message', '3', ''],
    ],
  },
  {
    file: 'format-field-id-null',
    // An id with NUL is ignored whole, so nothing is sent back on reconnect.
    wire: 'id: \0\0\nretry: 200\ndata: hello\n\n',
    events: [['message', 'hello', '']],
    retries: [200],
  },
  {
    file: 'format-field-parsing',
    // Case-sensitive names, NUL in names and values, a leading space that makes a name
    // unknown, CR, LF and CRLF mixed.
    wire:
      'data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n' +
      ' data:32\ndata:4\n\n',
    events: [['message', '\0\n 2\n1\n3\n\n4', '']],
  },
  {
    file: 'format-field-retry',
    // Leading zeros are decimal, not octal.
    wire: 'retry:02000\ndata:x\n\n\n',
    events: [['message', 'x', '']],
    retries: [2000],
  },
  {
    file: 'format-field-retry-bogus',
    wire: 'retry:2000\nretry:1000x\ndata:x\n\n\n',
    events: [['message', 'x', '']],
    retries: [2000],
  },
  {
    file: 'format-field-retry-empty',
    wire: 'retry\ndata:test\n\n\n',
    events: [['message', 'test', '']],
    retries: [],
  },
  {
    file: 'format-field-unknown',
    wire: 'data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n',
    events: [['message', 'test\n\ntest', '']],
  },
  {
    file: 'format-leading-space',
    // Only a space is dropped after the colon, never a tab.
    wire: 'data:\ttest\rdata: \ndata:test\n\n\n',
    events: [['message', '\ttest\n\ntest', '']],
  },
  {
    file: 'format-newlines',
    wire: 'data:test\r\ndata\ndata:test\r\n\r\n',
    events: [['message', 'test\n\ntest', '']],
  },
  {
    file: 'format-null-character',
    wire: 'data:\0\n\n\n\n\n',
    events: [['message', '\0', '']],
  },
];

function streamingParse(chunks: readonly string[]): ParseResult {
  const out: ParseResult = { events: [], ids: [], retries: [], comments: [], lastEventId: '' };
  const parser = createEventStreamParser({
    onEvent: (e) => out.events.push(e),
    onLastEventId: (id) => out.ids.push(id),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (c) => out.comments.push(c),
  });
  for (const chunk of chunks) parser.feed(chunk);
  out.lastEventId = parser.lastEventId;
  return out;
}

describe('the parser on the web-platform-tests eventsource/format-* streams', () => {
  it.each(CASES)('$file', (c) => {
    const spec = parseWholeStream(c.wire);
    // The oracle agrees with what the WPT file expects…
    expect(spec.events.map((e) => [e.type, e.data, e.lastEventId])).toEqual(c.events);
    if (c.retries !== undefined) expect(spec.retries).toEqual(c.retries);
    const last = c.lastEventId ?? c.events.at(-1)?.[2] ?? '';
    expect(spec.lastEventId).toBe(last);
    // …and the streaming parser agrees with the oracle, however the stream is cut.
    expect(streamingParse([c.wire])).toEqual(spec);
    for (let i = 0; i <= c.wire.length; i += 1) {
      expect(streamingParse([c.wire.slice(0, i), c.wire.slice(i)]), `cut at ${i}`).toEqual(spec);
    }
    expect(streamingParse([...c.wire]), 'one character per chunk').toEqual(spec);
  });

  it('format-data-before-final-empty-line: the unfinished frame’s id does not outlive the stream', () => {
    // The WPT test's second connection gets "data:test1" again and expects lastEventId "".
    const events: string[] = [];
    const parser = createEventStreamParser({
      onEvent: (e) => events.push(`${e.data}@${e.lastEventId}`),
    });
    parser.feed('retry:1000\ndata:test1\n\nid:test\ndata:test2\n');
    parser.reset(); // the server ended the stream; the client reconnects
    parser.feed('retry:1000\ndata:test1\n\n');
    expect(events).toEqual(['test1@', 'test1@']);
    expect(parser.lastEventId).toBe('');
  });

  it('format-utf-8: the body is UTF-8 whatever charset the Content-Type names', async () => {
    const headers = new Headers({ 'Content-Type': 'text/event-stream;charset=windows-1252' });
    expect(classifyResponse({ status: 200, headers }, '/sse')).toBeUndefined();
    const bytes = new TextEncoder().encode('data:ok\u2026\n\n\n');
    const data: string[] = [];
    const parser = createEventStreamParser({ onEvent: (e) => data.push(e.data) });
    await readBody(new Response(bytes).body!, parser);
    expect(data).toEqual(['ok\u2026']);
  });

  it.each([
    ['format-mime-trailing-semicolon', 'text/event-stream;', undefined],
    ['format-mime-valid-bogus', 'text/x-bogus', 'SSE_BAD_CONTENT_TYPE'],
    ['format-mime-bogus', 'x/x', 'SSE_BAD_CONTENT_TYPE'],
  ])('%s: Content-Type %j', (_file, type, code) => {
    const failure = classifyResponse(
      { status: 200, headers: new Headers({ 'Content-Type': type }) },
      '/sse',
    );
    expect(failure?.error.code).toBe(code);
    if (failure !== undefined) expect(failure.error.fatal).toBe(true);
  });
});
