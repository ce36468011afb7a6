/**
 * Test helpers for `@sse/*` packages and for anyone writing a bus or a binding: the Bus,
 * scale-out and binding conformance suites, a spec-following stream reader, and
 * deadline-based waiting helpers. Imports nothing beyond `node:` built-ins and `@sse/core` itself.
 * @module
 */

export type {
  BindingConformanceOptions,
  BindingResolution,
  BindingServer,
  EventSourceConstructor,
  EventSourceLike,
} from './binding-conformance.js';
export { runBindingConformance } from './binding-conformance.js';
export type {
  BusConformanceOptions,
  BusFaultControl,
  ConformanceTestApi,
} from './bus-conformance.js';
export { runBusConformance } from './bus-conformance.js';
export type { BusRecording } from './bus-recording.js';
export { startRecording } from './bus-recording.js';
export type {
  ScaleOutConformanceOptions,
  ScaleOutTestApi,
} from './scale-out-conformance.js';
export { runScaleOutConformance } from './scale-out-conformance.js';
export type { ReadEvent } from './sse-reader.js';
export { SseReader } from './sse-reader.js';
export { nextEvent, waitFor } from './wait-for.js';
