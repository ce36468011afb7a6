import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Hub, type StreamAccess, serveStream } from '@sse/core';

/**
 * The part of a Koa context the middleware uses. Koa's own `Context` satisfies it, so no
 * Koa types are needed to use this package; pass your context type as the type argument
 * to get it in `resolve`.
 */
export interface KoaStreamContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  respond?: boolean;
}

/** Options for {@link sse}. */
export interface SseMiddlewareOptions<C extends KoaStreamContext> {
  /**
   * Who the stream is for: `{ user, rooms }` opens it, `null` answers 401, `false` 403.
   * May be async. Whatever it throws propagates to Koa's error handling (500 and
   * `app.on('error')`), never swallowed.
   * @default every request opens an anonymous stream
   */
  readonly resolve?: (ctx: C) => StreamAccess | Promise<StreamAccess>;
}

/**
 * Koa middleware that turns a request into a stream of `hub`. Last-Event-ID comes from
 * the header or the `lastEventId` query parameter; refusals are answered with
 * 401/403/429/503 and a JSON body `{ error, message }`.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { createHub } from '@sse/core';
 * import { sse } from '@sse/koa';
 *
 * const hub = createHub();
 * const router = new Router();
 * router.get('/events', sse(hub, { resolve: (ctx) => (ctx.state.user ? { user: ctx.state.user.id, rooms: ['lobby'] } : null) }));
 * new Koa().use(router.routes()).listen(3000);
 * ```
 */
export function sse<C extends KoaStreamContext = KoaStreamContext>(
  hub: Hub,
  options: SseMiddlewareOptions<C> = {},
): (ctx: C, next: () => Promise<unknown>) => Promise<void> {
  const resolve = options.resolve;
  return async (ctx: C): Promise<void> => {
    // Resolve first: an error here is still Koa's to answer.
    const access = resolve ? await resolve(ctx) : {};
    // From here the hub owns the raw response: Koa must neither end nor buffer it, nor
    // turn the untouched body into a 404.
    ctx.respond = false;
    await serveStream(hub, ctx.req, ctx.res, access);
  };
}
