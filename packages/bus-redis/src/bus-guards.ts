import { asBusError, type BusGuard, SseError } from '@sse/core';
import { type BusConnections, waitReady } from './connection.js';

/**
 * Checks a `publish()` call and returns the started connections.
 * @throws SseError `SSE_BUS_CLOSED`, `SSE_BUS_UNAVAILABLE` before start, `SSE_INVALID_FIELD`
 *   for a non-string.
 */
export function assertCanPublish(
  guard: BusGuard,
  payload: unknown,
  connections: BusConnections | undefined,
): BusConnections {
  guard.assertUsable('publish');
  if (typeof payload !== 'string') {
    throw new SseError('SSE_INVALID_FIELD', `Bus payload must be a string, got ${typeof payload}.`);
  }
  return connections!;
}

/** Waits until both connections are ready, within `timeoutMs`. */
export async function connectBoth(
  connections: BusConnections,
  timeoutMs: number,
  side: string,
): Promise<void> {
  await Promise.all([
    waitReady(connections.command, timeoutMs, 'command connection'),
    waitReady(connections.side, timeoutMs, side),
  ]);
}

/** What a failed `start()` rejects with: the SseError as is, anything else as unavailable. */
export function startFailure(error: unknown, action: string): SseError {
  return asBusError('Redis', action, error);
}
