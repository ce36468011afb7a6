/**
 * What every bus needs and should not write again: its lifecycle guard, the
 * `SSE_BUS_UNAVAILABLE` error and a deadline with an unref'd timer.
 * @module
 */
export { asBusError, busUnavailable } from './bus-errors.js';
export { BusGuard } from './bus-guard.js';
export { withDeadline } from './deadline.js';
