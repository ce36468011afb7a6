/**
 * Test helpers for `@sse/*` packages and for anyone writing a bus: the Bus conformance
 * suite and deadline-based waiting helpers. Imports nothing beyond `node:` built-ins.
 * @module
 */

export type {
  BusConformanceOptions,
  BusFaultControl,
  ConformanceTestApi,
} from './bus-conformance.js';
export { runBusConformance } from './bus-conformance.js';
export { nextEvent, waitFor } from './wait-for.js';
