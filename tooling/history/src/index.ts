/**
 * `@sse/history` (private): the one history checker every fault and interop test judges with.
 * @module
 */
export type { HistoryVerdict, Observation, PublishedMessage } from './check-history.js';
export { checkHistory, describeVerdict } from './check-history.js';
