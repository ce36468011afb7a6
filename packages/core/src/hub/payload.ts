import { SseError, toError } from '../errors.js';

/**
 * Turns `publish({ data })` into the `data:` text, and checks its size.
 * @param serializer - the hub's `serializer` option.
 * @param data - what the application passed.
 * @param maxPayloadBytes - the largest UTF-8 size accepted.
 * @returns the text.
 * @throws SseError `SSE_SERIALIZE_FAILED` when the serializer throws or returns no string,
 *   `SSE_PAYLOAD_TOO_LARGE` over `maxPayloadBytes`.
 */
export function serializePayload(
  serializer: (data: unknown) => string,
  data: unknown,
  maxPayloadBytes: number,
): string {
  let text: unknown;
  try {
    text = serializer(data);
  } catch (error) {
    throw new SseError('SSE_SERIALIZE_FAILED', `The serializer threw: ${toError(error).message}`, {
      cause: error,
    });
  }
  if (typeof text !== 'string') {
    throw new SseError(
      'SSE_SERIALIZE_FAILED',
      `The serializer must return a string, got ${typeof text} (is data undefined?).`,
    );
  }
  // Cheap upper bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (text.length * 3 > maxPayloadBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxPayloadBytes) {
      throw new SseError(
        'SSE_PAYLOAD_TOO_LARGE',
        `Payload is ${bytes} bytes, over maxPayloadBytes (${maxPayloadBytes}). Send a reference instead, or raise the limit.`,
        { details: { bytes, limit: maxPayloadBytes } },
      );
    }
  }
  return text;
}
