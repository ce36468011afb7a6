/**
 * An incremental parser for `text/event-stream`, written from the WHATWG algorithm.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */

/** One dispatched event, as the spec's "dispatch the event" step produces it. */
export interface ParsedEvent {
  /** The `event:` field, or `"message"` when the frame had none (or an empty one). */
  readonly type: string;
  /** The `data:` lines joined with LF. */
  readonly data: string;
  /**
   * The `id:` field of this very frame, or `undefined` when it had none. Used to
   * de-duplicate: an event that only inherits an earlier id is not a repeat of it.
   */
  readonly id: string | undefined;
  /** The stream's last event ID after this frame (inherited when the frame had no `id:`). */
  readonly lastEventId: string;
}

/** What the parser reports. Only `onEvent` is required. */
export interface ParserCallbacks {
  /** A frame with data was dispatched. */
  onEvent(event: ParsedEvent): void;
  /**
   * The last event ID string changed. Called at dispatch time, before `onEvent`, and also for
   * frames without data: an `id:`-only frame moves the last event ID without an event.
   */
  onLastEventId?(id: string): void;
  /** A valid `retry:` field (ASCII digits only) arrived, in milliseconds. */
  onRetry?(ms: number): void;
  /** A comment line (`:` and what follows it, without the colon). */
  onComment?(text: string): void;
}

/** The parser's handle: feed it decoded text in chunks of any size. */
export interface EventStreamParser {
  /** Parses `chunk`, which may end anywhere, even between CR and LF. */
  feed(chunk: string): void;
  /**
   * Forgets a partial line and a partial frame, `id:` included, as the spec does at the end
   * of a stream (for a new connection). The last event ID string as of the last dispatch is
   * kept, or replaced by `lastEventId` when given.
   */
  reset(lastEventId?: string): void;
  /** The stream's last event ID string as of the last dispatch. */
  readonly lastEventId: string;
}

const DIGITS = /^[0-9]+$/;

/**
 * Creates an incremental `text/event-stream` parser.
 *
 * Decode bytes with `new TextDecoder('utf-8', { ignoreBOM: true })` and `{ stream: true }`:
 * the parser itself drops one leading U+FEFF, so that exactly one BOM is removed whether the
 * text came from bytes or from a string.
 *
 * @param callbacks - receivers for events, id changes, retry hints and comments.
 * @param lastEventId - the last event ID to start from (events inherit it). @default ''
 * @returns the parser handle.
 * @example
 * ```ts
 * const parser = createEventStreamParser({ onEvent: (e) => console.log(e.type, e.data) });
 * parser.feed('data: hel');
 * parser.feed('lo\n\n'); // logs "message hello"
 * ```
 */
export function createEventStreamParser(
  callbacks: ParserCallbacks,
  lastEventId = '',
): EventStreamParser {
  let pending = ''; // text of a line whose end has not arrived yet
  let afterCr = false; // the previous chunk ended with CR: a leading LF belongs to that CR
  let atStart = true; // nothing seen yet, so a BOM may still come
  let data = ''; // the spec's data buffer: each data line followed by LF
  let eventType = '';
  let frameId: string | undefined;
  let idBuffer = lastEventId; // the spec's last event ID buffer: survives across frames
  let current = lastEventId; // the last event ID string, set only at dispatch

  function dispatch(): void {
    // Per spec the last event ID string is set even when nothing is dispatched: this is how
    // a server anchors a fresh client with an id-only frame.
    if (idBuffer !== current) {
      current = idBuffer;
      callbacks.onLastEventId?.(current);
    }
    const id = frameId;
    frameId = undefined;
    if (data === '') {
      eventType = '';
      return;
    }
    const event: ParsedEvent = {
      type: eventType === '' ? 'message' : eventType,
      data: data.slice(0, -1),
      id,
      lastEventId: current,
    };
    data = '';
    eventType = '';
    callbacks.onEvent(event);
  }

  function processField(field: string, value: string): void {
    switch (field) {
      case 'event':
        eventType = value;
        return;
      case 'data':
        data += value + '\n';
        return;
      case 'id':
        // An id with NUL is ignored entirely, so it can never clear or forge the buffer.
        if (!value.includes('\0')) {
          idBuffer = value;
          frameId = value;
        }
        return;
      case 'retry':
        if (DIGITS.test(value)) callbacks.onRetry?.(Number.parseInt(value, 10));
        return;
      default:
        // Unknown fields are ignored, as the spec says.
        return;
    }
  }

  function processLine(line: string): void {
    if (line === '') {
      dispatch();
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) {
      callbacks.onComment?.(line.slice(1));
      return;
    }
    if (colon === -1) {
      // A field name alone: its value is the empty string.
      processField(line, '');
      return;
    }
    // Exactly one space after the colon is part of the syntax, not of the value.
    const start = line.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1;
    processField(line.slice(0, colon), line.slice(start));
  }

  function feed(input: string): void {
    let chunk = input;
    if (chunk === '') return;
    if (atStart) {
      atStart = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let pos = 0;
    if (afterCr) {
      afterCr = false;
      if (chunk.charCodeAt(0) === 0x0a) pos = 1;
    }
    // Positions of the next CR and LF, each searched again only once passed, so a chunk of
    // many LF-only lines is scanned once rather than once per line.
    let cr = -2;
    let lf = -2;
    while (pos < chunk.length) {
      if (cr !== -1 && cr < pos) cr = chunk.indexOf('\r', pos);
      if (lf !== -1 && lf < pos) lf = chunk.indexOf('\n', pos);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) {
        pending += chunk.slice(pos);
        return;
      }
      const line = pending + chunk.slice(pos, end);
      pending = '';
      pos = end + 1;
      if (end === cr) {
        if (pos === chunk.length) afterCr = true;
        else if (chunk.charCodeAt(pos) === 0x0a) pos += 1;
      }
      processLine(line);
    }
  }

  return {
    feed,
    reset(nextLastEventId?: string): void {
      pending = '';
      afterCr = false;
      atStart = true;
      data = '';
      eventType = '';
      frameId = undefined;
      if (nextLastEventId !== undefined) current = nextLastEventId;
      // The buffer may hold the `id:` of the frame just discarded; per spec an unfinished
      // frame is dropped whole, so its id must not reach the next connection's events.
      idBuffer = current;
    },
    get lastEventId(): string {
      return current;
    },
  };
}
