/**
 * `@sse/bus-nats`: the `@sse/core` Bus on NATS JetStream.
 * @module
 */
export { createNatsBus } from './nats-bus.js';
export type { NatsBusOptions } from './options.js';
export { comparePositions, epochOf, parsePosition } from './position.js';
