import type { ParsedEvent } from '../../src/parser/event-stream-parser.js';

/** Everything a parser reports for one stream, in the shape the parser tests compare. */
export interface ParseResult {
  events: ParsedEvent[];
  /** The last event ID string each time it changed. */
  ids: string[];
  /** Every valid `retry:` value, in order. */
  retries: number[];
  comments: string[];
  /** The last event ID string at the end. */
  lastEventId: string;
}

/**
 * The WHATWG event-stream interpretation, written as plainly as the spec reads, for a whole
 * stream at once: the oracle the streaming parser is checked against. No chunks, no state
 * carried between calls, no shortcuts; if this and the spec differ, this is wrong.
 *
 * `frame id` (the `id` of a {@link ParsedEvent}) is not a spec notion: it is the `id:` field
 * of the frame being dispatched, if it had one that counted (no NUL).
 *
 * @param input - the decoded stream, from its first character to its end.
 * @param lastEventId - the last event ID string when the stream starts.
 * @returns what the spec dispatches.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function parseWholeStream(input: string, lastEventId = ''): ParseResult {
  const out: ParseResult = { events: [], ids: [], retries: [], comments: [], lastEventId };

  // "UTF-8 decode" removes one leading BOM, and only one.
  const text = input.charAt(0) === '\uFEFF' ? input.slice(1) : input;

  // Lines end with CRLF, LF or CR. Text after the last line ending is not a line: the stream
  // ended inside it, so it is discarded with the rest of the unfinished frame.
  const lines: string[] = [];
  let lineStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (char !== '\r' && char !== '\n') continue;
    lines.push(text.slice(lineStart, i));
    if (char === '\r' && text.charAt(i + 1) === '\n') i += 1;
    lineStart = i + 1;
  }

  let dataBuffer = '';
  let eventTypeBuffer = '';
  let lastEventIdBuffer = lastEventId;
  let frameId: string | undefined;

  const dispatch = (): void => {
    if (out.lastEventId !== lastEventIdBuffer) out.ids.push(lastEventIdBuffer);
    out.lastEventId = lastEventIdBuffer;
    const id = frameId;
    frameId = undefined;
    if (dataBuffer === '') {
      eventTypeBuffer = '';
      return;
    }
    const data = dataBuffer.endsWith('\n') ? dataBuffer.slice(0, -1) : dataBuffer;
    out.events.push({
      type: eventTypeBuffer === '' ? 'message' : eventTypeBuffer,
      data,
      id,
      lastEventId: out.lastEventId,
    });
    dataBuffer = '';
    eventTypeBuffer = '';
  };

  const processField = (field: string, value: string): void => {
    if (field === 'event') eventTypeBuffer = value;
    else if (field === 'data') dataBuffer += `${value}\n`;
    else if (field === 'id') {
      if (!value.includes('\u0000')) {
        lastEventIdBuffer = value;
        frameId = value;
      }
    } else if (field === 'retry') {
      const digitsOnly = value !== '' && [...value].every((c) => c >= '0' && c <= '9');
      if (digitsOnly) out.retries.push(Number(value));
    }
    // Any other field is ignored.
  };

  for (const line of lines) {
    if (line === '') dispatch();
    else if (line.startsWith(':')) out.comments.push(line.slice(1));
    else if (line.includes(':')) {
      const colon = line.indexOf(':');
      const value = line.slice(colon + 1);
      processField(line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value);
    } else processField(line, '');
  }
  return out;
}
