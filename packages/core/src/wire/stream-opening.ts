import { KEEP_ALIVE_COMMENT } from './control-events.js';
import { encodeFrameText } from './frame-encoder.js';

/** What the first bytes of every stream say. */
export interface StreamOpeningFields {
  /** The `retry:` hint, in ms. */
  readonly retryMs: number;
  /** The longest silence the hub allows on a stream (its heartbeat promise), in ms. */
  readonly keepAliveMs: number;
}

/**
 * Encodes the first bytes of every stream: the keep-alive advertisement as the very first
 * line, a comment (`: sse-keep-alive=15000`), then the `retry:` hint, in one frame.
 *
 * A comment because every `EventSource` and spec parser ignores it (no event, no id change),
 * it needs no CORS `Access-Control-Expose-Headers` cross-origin as a response header would,
 * and no proxy that passes the body can strip it. The first line because a client then knows
 * from the first thing it parses whether this server advertises at all. Encoded once per hub:
 * every stream gets the same bytes.
 *
 * @param fields - the retry hint and the keep-alive interval.
 * @returns the opening frame, e.g. `: sse-keep-alive=15000\nretry: 2000\n\n`.
 * @throws SseError `SSE_INVALID_FIELD` when `retryMs` is not a non-negative integer.
 * @see ../../WIRE.md ("Opening bytes")
 */
export function encodeStreamOpening(fields: StreamOpeningFields): Buffer {
  const advertised = Math.floor(fields.keepAliveMs);
  return Buffer.from(
    `: ${KEEP_ALIVE_COMMENT}=${advertised}\n${encodeFrameText({ retry: fields.retryMs })}`,
    'utf8',
  );
}
