import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventStreamParser } from '../src/parser/event-stream-parser.js';
import type { ParseResult } from './helpers/spec-parser.js';
import { parseWholeStream } from './helpers/spec-parser.js';

// The streaming parser against the whole-stream oracle (test/helpers/spec-parser.ts), on
// random streams cut at random places: same events, same id changes, same retry values, same
// comments and the same final last event ID, whatever the chunking.

const ending = fc.constantFrom('\n', '\r', '\r\n');

/** Characters that matter to the grammar, plus a few that must pass through untouched. */
const valueText = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '7', ' ', '\t', ':', '\0', '\uFEFF', '\u00e9', '\u{1F600}'),
  maxLength: 8,
});

const fieldName = fc.constantFrom(
  'data',
  'id',
  'event',
  'retry',
  'Data',
  'ID',
  ' data',
  'data ',
  'dat',
  'foo',
  '\uFEFFdata',
  '\0id',
);

const retryValue = fc.oneof(
  fc.nat({ max: 100_000 }).map(String),
  fc.constantFrom('', '007', '-1', '1.5', '12a', ' 5', '\u0661\u0662', '99999999999999999999'),
);

const fieldLine = fc.oneof(
  // field: value, field:value, field:  value, and a field name with no colon at all
  fc
    .tuple(fieldName, fc.constantFrom(': ', ':', ':  ', ''), valueText)
    .map(([name, sep, value]) => (sep === '' ? name : `${name}${sep}${value}`)),
  fc.tuple(fc.constantFrom('retry: ', 'retry:'), retryValue).map(([f, v]) => f + v),
  valueText.map((text) => `:${text}`), // a comment
  fc.constant(''), // a blank line: dispatch
);

/** A stream of lines with every kind of ending, maybe a BOM, maybe an unfinished last line. */
const structuredStream = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.tuple(fieldLine, ending), { maxLength: 25 }),
    fc.option(fieldLine, { nil: '' }),
  )
  .map(
    ([bom, lines, tail]) => (bom ? '\uFEFF' : '') + lines.map(([l, e]) => l + e).join('') + tail,
  );

/** Unstructured text over the grammar's alphabet: line endings land anywhere. */
const noiseStream = fc.string({
  unit: fc.constantFrom(
    '\n',
    '\r',
    '\r\n',
    ':',
    ' ',
    '\0',
    '\uFEFF',
    'data',
    'id',
    'event',
    'retry',
    '1',
    'x',
  ),
  maxLength: 60,
});

const anyStream = fc.oneof({ weight: 3, arbitrary: structuredStream }, noiseStream);

/** A stream with cut points: each cut ends a chunk, repeats make empty chunks. */
const chunked = anyStream.chain((text) =>
  fc.tuple(
    fc.constant(text),
    fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }),
  ),
);

function cut(text: string, cuts: readonly number[]): string[] {
  const points = [...cuts].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(text.slice(from, point));
    from = point;
  }
  chunks.push(text.slice(from));
  return chunks;
}

/** Feeds `streams` in chunks, calling `reset()` between streams as a reconnect does. */
function streamingParse(streams: readonly string[][], lastEventId: string): ParseResult {
  const out: ParseResult = { events: [], ids: [], retries: [], comments: [], lastEventId };
  const parser = createEventStreamParser(
    {
      onEvent: (e) => out.events.push(e),
      onLastEventId: (id) => out.ids.push(id),
      onRetry: (ms) => out.retries.push(ms),
      onComment: (c) => out.comments.push(c),
    },
    lastEventId,
  );
  streams.forEach((chunks, i) => {
    if (i > 0) parser.reset();
    for (const chunk of chunks) parser.feed(chunk);
  });
  out.lastEventId = parser.lastEventId;
  return out;
}

const startId = fc.constantFrom('', '5', 'e-1');

describe('createEventStreamParser against the spec algorithm (fast-check)', () => {
  it('gives the same result as the whole-stream reading for any stream and any chunking', () => {
    fc.assert(
      fc.property(chunked, startId, ([text, cuts], lastEventId) => {
        const expected = parseWholeStream(text, lastEventId);
        expect(streamingParse([cut(text, cuts)], lastEventId)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('reset() between two streams is the end of one stream and the start of the next', () => {
    // The second stream starts from the last event ID the first one dispatched: an
    // unfinished frame at the end of the first, its id included, is gone.
    fc.assert(
      fc.property(chunked, chunked, startId, ([a, cutsA], [b, cutsB], lastEventId) => {
        const first = parseWholeStream(a, lastEventId);
        const second = parseWholeStream(b, first.lastEventId);
        const expected: ParseResult = {
          events: [...first.events, ...second.events],
          ids: [...first.ids, ...second.ids],
          retries: [...first.retries, ...second.retries],
          comments: [...first.comments, ...second.comments],
          lastEventId: second.lastEventId,
        };
        expect(streamingParse([cut(a, cutsA), cut(b, cutsB)], lastEventId)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
