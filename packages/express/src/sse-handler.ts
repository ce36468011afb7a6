import { type Hub, type StreamAccess, serveStream } from '@sse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Decides who a stream request is: return `{ user, rooms }` to open the stream, `null`
 * to answer 401, `false` to answer 403. May be async. Whatever it throws goes to
 * Express's error handling (`next(error)`), never swallowed.
 */
export type SseResolver = (request: Request) => StreamAccess | Promise<StreamAccess>;

/** Options for {@link sse}. */
export interface SseHandlerOptions {
  /** Identity and rooms for the stream. @default every request opens an anonymous stream */
  readonly resolve?: SseResolver;
}

/**
 * An Express handler that turns `GET` requests into streams of `hub`. Last-Event-ID is
 * read from the header or the `lastEventId` query parameter; refusals are answered with
 * 401/403/429/503 and a JSON body `{ error, message }`.
 *
 * Mount it before any compression middleware, or keep it: the stream is sent with
 * `Cache-Control: no-transform`, which `compression` respects.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createHub } from '@sse/core';
 * import { sse } from '@sse/express';
 *
 * const hub = createHub();
 * const app = express();
 * app.get('/events', sse(hub, {
 *   resolve: (req) => (req.session?.user ? { user: req.session.user, rooms: ['lobby'] } : null),
 * }));
 * app.post('/say', express.json(), async (req, res) => {
 *   const { id } = await hub.publish({ to: { room: 'lobby' }, event: 'message', data: req.body });
 *   res.status(201).json({ id });
 * });
 * app.listen(3000);
 * ```
 */
export function sse(hub: Hub, options: SseHandlerOptions = {}): RequestHandler {
  const resolve = options.resolve;
  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    let access: StreamAccess;
    try {
      access = resolve ? await resolve(request) : {};
    } catch (error) {
      next(error);
      return;
    }
    // serveStream never rejects: refusals are answered and reported as hub `error` events.
    await serveStream(hub, request, response, access);
  };
}
