import { SseError } from '@sse/core';
import { type BusConnections, waitReady } from './connection.js';
import { closedError, unavailable } from './errors.js';

/**
 * Checks that `start()` may run: the bus is open and was not started before.
 * @throws SseError `SSE_BUS_CLOSED` after close, `SSE_INVALID_OPTION` on a second start.
 */
export function assertCanStart(closed: boolean, started: boolean): void {
  if (closed) throw closedError('start');
  if (started)
    throw new SseError('SSE_INVALID_OPTION', 'Bus.start() was already called on this Redis bus.');
}

/**
 * Checks a `publish()` call and returns the started connections.
 * @throws SseError `SSE_BUS_CLOSED`, `SSE_INVALID_FIELD` for a non-string, `SSE_INVALID_OPTION` before start.
 */
export function assertCanPublish(
  closed: boolean,
  payload: unknown,
  connections: BusConnections | undefined,
): BusConnections {
  if (closed) throw closedError('publish');
  if (typeof payload !== 'string') {
    throw new SseError('SSE_INVALID_FIELD', `Bus payload must be a string, got ${typeof payload}.`);
  }
  if (!connections) throw new SseError('SSE_INVALID_OPTION', 'Call start() before publish().');
  return connections;
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
  return error instanceof SseError ? error : unavailable(action, error);
}
