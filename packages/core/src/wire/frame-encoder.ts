import { SseError } from '../errors.js';

/**
 * Encoding of Server-Sent Events frames, per the HTML Living Standard.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 * @module
 */

/** The fields of one SSE frame. */
export interface FrameFields {
  /** Event type; absent means the client's default `message`. No CR or LF allowed. */
  readonly event?: string | undefined;
  /** Payload text; split on CR, LF and CRLF into one `data:` line each. */
  readonly data?: string | undefined;
  /** Event id; sets the client's last event id. No CR, LF or NUL allowed. */
  readonly id?: string | undefined;
  /** Reconnection delay hint in ms; a non-negative integer. */
  readonly retry?: number | undefined;
}

// The spec's line terminators are CRLF, LF or CR; a bare CR in a field value would end the
// line for the client, so it is as dangerous as LF.
const LINE_BREAK = /\r\n|\r|\n/;
const HAS_LINE_BREAK = /[\r\n]/;
const HAS_LINE_BREAK_OR_NUL = /[\r\n\0]/;

/**
 * Throws `SSE_FRAME_INJECTION` when `value` could end a line (and so forge fields or whole
 * frames) in a single-line field.
 * @param field - the field name, for the error message.
 * @param value - the untrusted value.
 * @param rejectNul - also reject NUL (the spec makes clients ignore an `id` with NUL).
 */
export function assertSingleLine(field: string, value: string, rejectNul = false): void {
  if (typeof value !== 'string') {
    throw new SseError(
      'SSE_INVALID_FIELD',
      `SSE field "${field}" must be a string, got ${typeof value}.`,
      {
        details: { field },
      },
    );
  }
  const pattern = rejectNul ? HAS_LINE_BREAK_OR_NUL : HAS_LINE_BREAK;
  if (pattern.test(value)) {
    throw new SseError(
      'SSE_FRAME_INJECTION',
      `SSE field "${field}" must not contain CR or LF${rejectNul ? ' or NUL' : ''}: ` +
        'a line break there would let the value forge other fields or frames. ' +
        'Put multi-line or untrusted text in `data` instead.',
      { details: { field, value: value.slice(0, 64) } },
    );
  }
}

/**
 * Encodes one frame as UTF-8 bytes. Validates every field; never sanitises silently.
 * @returns the frame, ending in the blank line that dispatches it.
 * @throws SseError `SSE_FRAME_INJECTION` for CR/LF in `event`/`id` (or NUL in `id`),
 *   `SSE_INVALID_FIELD` for a `retry` that is not a non-negative integer.
 */
export function encodeFrame(fields: FrameFields): Buffer {
  return Buffer.from(encodeFrameText(fields), 'utf8');
}

/** Same as {@link encodeFrame} but returns the text, for callers that concatenate. */
export function encodeFrameText(fields: FrameFields): string {
  let text = '';
  if (fields.event !== undefined) {
    assertSingleLine('event', fields.event);
    text += `event: ${fields.event}\n`;
  }
  if (fields.data !== undefined) {
    if (typeof fields.data !== 'string') {
      throw new SseError(
        'SSE_INVALID_FIELD',
        `SSE field "data" must be a string, got ${typeof fields.data}.`,
      );
    }
    // Fast path: most payloads (JSON) contain no line break at all.
    if (!HAS_LINE_BREAK.test(fields.data)) text += `data: ${fields.data}\n`;
    else for (const line of fields.data.split(LINE_BREAK)) text += `data: ${line}\n`;
  }
  if (fields.id !== undefined) {
    assertSingleLine('id', fields.id, true);
    text += `id: ${fields.id}\n`;
  }
  if (fields.retry !== undefined) text += `retry: ${validRetry(fields.retry)}\n`;
  return `${text}\n`;
}

/**
 * Encodes a comment line (ignored by clients; keeps proxies from timing out).
 * @throws SseError `SSE_FRAME_INJECTION` when `text` contains CR or LF.
 */
export function encodeComment(text = ''): Buffer {
  assertSingleLine('comment', text);
  return Buffer.from(text === '' ? ':\n\n' : `: ${text}\n\n`, 'utf8');
}

function validRetry(retry: number): number {
  if (!Number.isSafeInteger(retry) || retry < 0) {
    throw new SseError(
      'SSE_INVALID_FIELD',
      `SSE field "retry" must be a non-negative integer of ms, got ${retry}.`,
      {
        details: { field: 'retry', value: retry },
      },
    );
  }
  return retry;
}
