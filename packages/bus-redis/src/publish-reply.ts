import { type BusAppend, type BusGuard, SseError, withDeadline } from '@sse/core';
import { unavailable } from './errors.js';

/**
 * Runs one publish script within `timeoutMs`. A failure or the deadline becomes
 * `SSE_BUS_UNAVAILABLE` (an `SseError` passes as is), anything after `close()`
 * `SSE_BUS_CLOSED`. The script itself may still run after the deadline: that is the
 * ambiguous failure a retry with the same idempotency key resolves.
 * @param guard - the bus's lifecycle, to tell a closed bus from an unreachable Redis.
 * @param channel - the bus channel, for the message.
 * @param timeoutMs - `publishTimeoutMs`.
 * @param run - sends the script and resolves with its reply.
 * @throws SseError `SSE_BUS_UNAVAILABLE`, `SSE_BUS_CLOSED`, or the script's own `SseError`.
 */
export async function publishWithin<T>(
  guard: BusGuard,
  channel: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await withDeadline(
      run(),
      timeoutMs,
      () => new Error(`timed out after ${timeoutMs} ms (publishTimeoutMs)`),
    );
  } catch (error) {
    if (guard.isClosed) throw guard.closedError('publish');
    if (error instanceof SseError) throw error;
    throw unavailable(`publish to channel "${channel}"`, error);
  }
}

/**
 * Reads the `{ position, 0 | 1 }` reply of a keyed publish script.
 * @param isPosition - whether a string is a position of this mode.
 * @throws SseError `SSE_BUS_PROTOCOL` for any other reply.
 */
export function parseAppend(reply: unknown, isPosition: (value: string) => boolean): BusAppend {
  const [position, duplicate] = Array.isArray(reply) ? reply : [];
  if (typeof position === 'string' && isPosition(position) && (duplicate === 0 || duplicate === 1))
    return { position, duplicate: duplicate === 1 };
  throw new SseError(
    'SSE_BUS_PROTOCOL',
    `The keyed publish script returned ${JSON.stringify(reply)}, expected [position, 0 | 1].`,
  );
}
