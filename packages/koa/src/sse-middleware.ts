import { type Hub, type StreamAccess, serveStream } from '@sse/core';
import type { DefaultContext, DefaultState, Middleware, ParameterizedContext } from 'koa';

/**
 * Decides who a stream request is: return `{ user, rooms }` to open the stream, `null`
 * to answer 401, `false` to answer 403. May be async. Whatever it throws goes to Koa's
 * error handling (a 500 and an `app.on('error')` event), never swallowed.
 */
export type SseResolver<StateT = DefaultState, ContextT = DefaultContext> = (
  ctx: ParameterizedContext<StateT, ContextT>,
) => StreamAccess | Promise<StreamAccess>;

/** Options for {@link sse}. */
export interface SseMiddlewareOptions<StateT = DefaultState, ContextT = DefaultContext> {
  /** Identity and rooms for the stream. @default every request opens an anonymous stream */
  readonly resolve?: SseResolver<StateT, ContextT>;
}

/**
 * A Koa middleware that turns requests into streams of `hub`. Last-Event-ID is read from
 * the header or the `lastEventId` query parameter; refusals are answered with
 * 401/403/429/503 and a JSON body `{ error, message }`. It ends the middleware chain:
 * mount it on a route (`router.get('/events', sse(hub))`), it never calls `next()`.
 *
 * Mount it before any compression middleware, or keep it: the stream is sent with
 * `Cache-Control: no-transform`, and Koa does not touch a response it does not own.
 *
 * @param hub - The hub the streams belong to.
 * @param options - {@link SseMiddlewareOptions}.
 * @returns A Koa middleware (Koa 2.15+ and 3).
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { createHub } from '@sse/core';
 * import { sse } from '@sse/koa';
 *
 * const hub = createHub();
 * const app = new Koa();
 * const router = new Router();
 * router.get('/events', sse(hub, {
 *   resolve: (ctx) => (ctx.state.user ? { user: ctx.state.user.id, rooms: ['lobby'] } : null),
 * }));
 * app.use(router.routes()).listen(3000);
 * ```
 */
export function sse<StateT = DefaultState, ContextT = DefaultContext>(
  hub: Hub,
  options: SseMiddlewareOptions<StateT, ContextT> = {},
): Middleware<StateT, ContextT> {
  const resolve = options.resolve;
  return async (ctx): Promise<void> => {
    // Not caught on purpose: a throwing resolver rejects this middleware, so Koa answers
    // 500 (or the error's `status`) and emits `error` on the app, before anything is sent.
    const access = resolve ? await resolve(ctx) : {};
    // From here the raw response is ours: without this, Koa would end it with a 404
    // (no body was set) as soon as the middleware chain settles, cutting the stream.
    ctx.respond = false;
    // serveStream never rejects: refusals are answered and reported as hub `error` events.
    await serveStream(hub, ctx.req, ctx.res, access);
  };
}
