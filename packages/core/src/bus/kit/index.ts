/**
 * What every bus needs and should not write again: its lifecycle guard, the
 * `SSE_BUS_UNAVAILABLE` error, a deadline with an unref'd timer, and the checks of
 * idempotency keys and windows.
 * @module
 */
export { asBusError, busUnavailable } from './bus-errors.js';
export { BusGuard } from './bus-guard.js';
export { withDeadline } from './deadline.js';
export { checkIdempotencyKey, idempotencyWindowOf } from './idempotency.js';
