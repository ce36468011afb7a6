/**
 * `@sse/koa`: mounts an `@sse/core` hub on a Koa 3 (or 2) route.
 * @module
 */

export type { SseMiddlewareOptions, SseResolver } from './sse-middleware.js';
export { sse } from './sse-middleware.js';
