import { busUnavailable, type SseError } from '@sse/core';

/**
 * The error every failed Redis operation becomes: `SSE_BUS_UNAVAILABLE` with the driver's
 * error as `cause` (see `busUnavailable` in `@sse/core`).
 * @param action - what the bus was doing, e.g. `publish to channel "chat"`.
 * @param cause - what ioredis (or the deadline) reported.
 */
export function unavailable(action: string, cause: unknown): SseError {
  return busUnavailable('Redis', action, cause);
}
