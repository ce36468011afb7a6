import { SseError, toError } from '../../errors.js';

/**
 * The error a bus rejects with when its broker did not do what was asked (down, timed out,
 * refused): `SSE_BUS_UNAVAILABLE`, with the driver's error as `cause`.
 * @param broker - the broker's name for humans, e.g. `Redis`.
 * @param action - what the bus was doing, as a verb phrase: `publish to channel "chat"`.
 * @param cause - what the driver (or a deadline) reported.
 * @returns the error, whose message reads `<broker> could not <action>: <cause>`.
 */
export function busUnavailable(broker: string, action: string, cause: unknown): SseError {
  const error = toError(cause);
  return new SseError(
    'SSE_BUS_UNAVAILABLE',
    `${broker} could not ${action}: ${error.message}. The call can be retried once ${broker} is reachable.`,
    { cause: error },
  );
}

/**
 * `SSE_BUS_UNAVAILABLE` for anything that is not already an `SseError` (which passes as is).
 * @param broker - as in {@link busUnavailable}.
 * @param action - as in {@link busUnavailable}.
 * @param caught - what was thrown.
 */
export function asBusError(broker: string, action: string, caught: unknown): SseError {
  return caught instanceof SseError ? caught : busUnavailable(broker, action, caught);
}
