/**
 * `@sse/express`: mounts an `@sse/core` hub on an Express 5 (or 4) route.
 * @module
 */

export type { SseHandlerOptions, SseResolver } from './sse-handler.js';
export { sse } from './sse-handler.js';
