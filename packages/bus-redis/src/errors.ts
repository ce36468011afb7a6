import { SseError, toError } from '@sse/core';

/**
 * The error every failed Redis operation becomes: `SSE_BUS_UNAVAILABLE` with the driver's
 * error as `cause`.
 * @param action - what the bus was doing, e.g. `publish to channel "chat"`.
 * @param cause - what ioredis (or the timeout) reported.
 */
export function unavailable(action: string, cause: unknown): SseError {
  const error = toError(cause);
  return new SseError(
    'SSE_BUS_UNAVAILABLE',
    `Redis could not ${action}: ${error.message}. Check that Redis is reachable; the call can be retried.`,
    { cause: error },
  );
}

/** The error for any call on a closed bus. */
export function closedError(action: string): SseError {
  return new SseError(
    'SSE_BUS_CLOSED',
    `Cannot ${action}: this Redis bus was closed. Create a new bus.`,
  );
}

/**
 * Rejects with `onTimeout()` if `promise` has not settled within `ms`. The timer never keeps
 * the process alive, and is cleared as soon as the promise settles.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
