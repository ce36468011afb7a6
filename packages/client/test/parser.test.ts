import { describe, expect, it } from 'vitest';
import type { ParsedEvent } from '../src/parser/event-stream-parser.js';
import { createEventStreamParser } from '../src/parser/event-stream-parser.js';
import { readBody } from '../src/parser/read-body.js';

interface Recorded {
  events: ParsedEvent[];
  ids: string[];
  retries: number[];
  comments: string[];
}

function parseChunks(chunks: readonly string[], lastEventId = ''): Recorded {
  const out: Recorded = { events: [], ids: [], retries: [], comments: [] };
  const parser = createEventStreamParser(
    {
      onEvent: (e) => out.events.push(e),
      onLastEventId: (id) => out.ids.push(id),
      onRetry: (ms) => out.retries.push(ms),
      onComment: (text) => out.comments.push(text),
    },
    lastEventId,
  );
  for (const chunk of chunks) parser.feed(chunk);
  return out;
}

const parse = (text: string): Recorded => parseChunks([text]);

/** Every way to cut `text` in two, plus one char at a time: the result must not change. */
function expectSplitInvariant(text: string): Recorded {
  const whole = parse(text);
  for (let i = 0; i <= text.length; i += 1) {
    expect(parseChunks([text.slice(0, i), text.slice(i)]), `split at ${i}`).toEqual(whole);
  }
  expect(parseChunks([...text]), 'one char per chunk').toEqual(whole);
  return whole;
}

const ev = (data: string, type = 'message', id?: string, lastEventId = ''): ParsedEvent => ({
  type,
  data,
  id,
  lastEventId,
});

describe('createEventStreamParser: line endings', () => {
  it('accepts LF, CR and CRLF, mixed in one stream', () => {
    const text = 'data: a\n\ndata: b\r\rdata: c\r\n\r\ndata: d\r\n\n';
    const out = expectSplitInvariant(text);
    expect(out.events).toEqual([ev('a'), ev('b'), ev('c'), ev('d')]);
  });

  it('treats CR then LF split across chunks as one line end', () => {
    const out = parseChunks(['data: a\r', '\n', '\r', '\ndata: b\r', '\r']);
    expect(out.events).toEqual([ev('a'), ev('b')]);
  });

  it('treats CR CR as two line ends (an empty line dispatches)', () => {
    expect(parse('data: x\r\r').events).toEqual([ev('x')]);
  });
});

describe('createEventStreamParser: fields', () => {
  it('joins multi-line data with LF and strips only one leading space', () => {
    const out = expectSplitInvariant('data:  two spaces\ndata:no space\ndata\ndata:\n\n');
    expect(out.events).toEqual([ev(' two spaces\nno space\n\n')]);
  });

  it('dispatches an empty data line as an empty string', () => {
    expect(parse('data\n\n').events).toEqual([ev('')]);
  });

  it('uses the event field, and "message" for an empty one', () => {
    const out = expectSplitInvariant(
      'event: chat\ndata: 1\n\nevent:\ndata: 2\n\nevent\ndata: 3\n\n',
    );
    expect(out.events).toEqual([ev('1', 'chat'), ev('2'), ev('3')]);
  });

  it('passes comments and ignores them for dispatch', () => {
    const out = expectSplitInvariant(': keep-alive\n:\ndata: a\n: inside\n\n');
    expect(out.comments).toEqual([' keep-alive', '', ' inside']);
    expect(out.events).toEqual([ev('a')]);
  });

  it('accepts retry with ASCII digits only', () => {
    const out = expectSplitInvariant(
      'retry: 1500\nretry: 12a\nretry: -1\nretry: 1.5\nretry:\nretry: \u0661\u0662\nretry:42\n\n',
    );
    expect(out.retries).toEqual([1500, 42]);
    expect(out.events).toEqual([]);
  });

  it('ignores an id containing NUL and keeps the previous one', () => {
    const out = expectSplitInvariant('id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n');
    expect(out.events).toEqual([ev('a', 'message', '1', '1'), ev('b', 'message', undefined, '1')]);
    expect(out.ids).toEqual(['1']);
  });

  it('treats a line without a colon as a field with an empty value', () => {
    const out = parse('id: 7\ndata: x\n\nid\ndata: y\n\n');
    expect(out.events).toEqual([ev('x', 'message', '7', '7'), ev('y', 'message', '', '')]);
    expect(out.ids).toEqual(['7', '']);
  });

  it('ignores unknown fields, including ones that differ only in case', () => {
    expect(parse('Data: no\nfoo: bar\ndata: yes\n\n').events).toEqual([ev('yes')]);
  });

  it('keeps colons inside the value', () => {
    expect(parse('data: a: b:c\n\n').events).toEqual([ev('a: b:c')]);
  });
});

describe('createEventStreamParser: dispatch', () => {
  it('does not dispatch an event with no data, and resets its type', () => {
    const out = parse('event: lonely\n\ndata: after\n\n');
    expect(out.events).toEqual([ev('after')]);
  });

  it('updates the last event id on an id-only frame without dispatching', () => {
    const out = expectSplitInvariant('id: anchor-5\n\ndata: next\n\n');
    expect(out.ids).toEqual(['anchor-5']);
    expect(out.events).toEqual([ev('next', 'message', undefined, 'anchor-5')]);
  });

  it('sets the id only when the frame is dispatched, not when the field is read', () => {
    const ids: string[] = [];
    const parser = createEventStreamParser({
      onEvent: () => {},
      onLastEventId: (id) => ids.push(id),
    });
    parser.feed('id: 9\n');
    expect(parser.lastEventId).toBe('');
    parser.feed('\n');
    expect(parser.lastEventId).toBe('9');
    expect(ids).toEqual(['9']);
  });

  it('inherits the last event id in later frames and reports frame ids separately', () => {
    const out = parse('id: a\ndata: 1\n\ndata: 2\n\n');
    expect(out.events).toEqual([ev('1', 'message', 'a', 'a'), ev('2', 'message', undefined, 'a')]);
  });

  it('starts from a given last event id', () => {
    const out = parseChunks(['data: x\n\n'], 'resume-3');
    expect(out.events).toEqual([ev('x', 'message', undefined, 'resume-3')]);
  });

  it('forgets the id of an unfinished frame at reset, as the spec and the README say', () => {
    const parser = createEventStreamParser({ onEvent: () => {} });
    parser.feed('id: 1\ndata: a\n\n');
    parser.feed('id: 5\ndata: partial');
    parser.reset();
    parser.feed('data: x\n\n');
    expect(parser.lastEventId).toBe('1');
    parser.feed('id: 6\n');
    parser.reset('7'); // an explicit id wins over both
    parser.feed('data: y\n\n');
    expect(parser.lastEventId).toBe('7');
  });

  it('discards an unfinished frame at reset (end of stream)', () => {
    const events: ParsedEvent[] = [];
    const parser = createEventStreamParser({ onEvent: (e) => events.push(e) });
    parser.feed('data: partial\n');
    parser.reset();
    parser.feed('data: whole\n\n');
    expect(events).toEqual([ev('whole')]);
  });
});

describe('createEventStreamParser: BOM', () => {
  it('drops one leading BOM, even in a chunk of its own', () => {
    expect(parse('\uFEFFdata: a\n\n').events).toEqual([ev('a')]);
    expect(parseChunks(['', '\uFEFF', 'data: a\n\n']).events).toEqual([ev('a')]);
  });

  it('keeps a second BOM (it then starts a field name nobody knows)', () => {
    expect(parse('\uFEFF\uFEFFdata: a\n\ndata: b\n\n').events).toEqual([ev('b')]);
  });

  it('does not drop a BOM that is not at the start', () => {
    expect(parse('data: \uFEFFa\n\n').events).toEqual([ev('\uFEFFa')]);
  });
});

describe('readBody: bytes', () => {
  const spec =
    '\uFEFFdata: h\u00e9llo \u{1F600}\r\nid: 1\r\n\r\n: c\revent: e\rdata: \u4e16\r\rid: 2\n\ndata: x\n\n';

  async function fromBytes(chunks: readonly Uint8Array[]): Promise<Recorded> {
    const out: Recorded = { events: [], ids: [], retries: [], comments: [] };
    const parser = createEventStreamParser({
      onEvent: (e) => out.events.push(e),
      onLastEventId: (id) => out.ids.push(id),
      onComment: (c) => out.comments.push(c),
    });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    await readBody(body, parser);
    return out;
  }

  it('gives the same result for a chunk boundary at every byte, including inside UTF-8 and the BOM', async () => {
    const bytes = new TextEncoder().encode(spec);
    const whole = await fromBytes([bytes]);
    expect(whole.events).toEqual([
      ev('h\u00e9llo \u{1F600}', 'message', '1', '1'),
      ev('\u4e16', 'e', undefined, '1'),
      ev('x', 'message', undefined, '2'),
    ]);
    expect(whole.ids).toEqual(['1', '2']);
    for (let i = 0; i <= bytes.length; i += 1) {
      const out = await fromBytes([bytes.slice(0, i), bytes.slice(i)]);
      expect(out, `split at byte ${i}`).toEqual(whole);
    }
    const single = await fromBytes([...bytes].map((b) => Uint8Array.of(b)));
    expect(single).toEqual(whole);
  });
});
