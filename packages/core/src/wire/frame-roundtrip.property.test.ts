import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSseError } from '../errors.js';
import { encodeFrameText } from './frame-encoder.js';

/** The HTML spec's stream interpretation, reduced to what one frame needs. */
function parse(text: string): {
  events: { event: string; data: string; id: string }[];
  lastEventId: string;
} {
  const events: { event: string; data: string; id: string }[] = [];
  let data = '';
  let event = '';
  let id = '';
  let lastEventId = '';
  for (const line of text.split(/\r\n|\r|\n/).slice(0, -1)) {
    if (line === '') {
      lastEventId = id;
      if (data !== '') events.push({ event: event || 'message', data: data.slice(0, -1), id });
      data = '';
      event = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data += `${value}\n`;
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  return { events, lastEventId };
}

// Strings rich in the characters that matter on this wire.
const wireString = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '\n',
      '\r',
      '\r\n',
      '\0',
      ':',
      ' ',
      'data: ',
      'event: ',
      'id: ',
      'retry: 1',
      '\n\n',
      '\uFEFF',
    ),
    fc.string({ maxLength: 4, unit: 'grapheme' }),
  ),
  maxLength: 30,
});

describe('encode → parse, for arbitrary input', () => {
  it('round-trips exactly (line breaks normalised to LF) or is rejected, never forging a frame', () => {
    fc.assert(
      fc.property(
        fc.option(wireString, { nil: undefined }),
        wireString,
        fc.option(wireString, { nil: undefined }),
        (event, data, id) => {
          let text: string;
          try {
            text = encodeFrameText({ event, data, id });
          } catch (error) {
            // Rejected only for a line break in event/id or a NUL in id, with a typed error.
            expect(isSseError(error, 'SSE_FRAME_INJECTION')).toBe(true);
            expect(/[\r\n]/.test(event ?? '') || /[\r\n\0]/.test(id ?? '')).toBe(true);
            return;
          }
          const parsed = parse(text);
          expect(parsed.events).toHaveLength(1);
          expect(parsed.events[0]).toEqual({
            event: event || 'message',
            data: data.replace(/\r\n|\r/g, '\n'),
            id: id ?? '',
          });
        },
      ),
      { numRuns: 3000 },
    );
  });
});
