import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { BODY_LIMIT } from './json-body.js';
import { sendError } from './replies.js';

/** What express and its body parser attach to the errors they pass on. */
type HttpError = Error & { type?: string; status?: number; code?: string };

/**
 * The last route: a JSON 404 for any path no route or static file answered.
 */
export const notFound: RequestHandler = (_req, res) => {
  sendError(res, 404, 'not_found', 'No such route.');
};

/**
 * The error handler, mounted after every route.
 *
 * Body parser errors become the client errors they are (413 over {@link BODY_LIMIT}, 400 for
 * malformed JSON); another error keeps its 4xx status and message; anything else is a 500
 * with a generic message, and only those are logged, since they are the server's fault.
 * @param log - where 5xx failures go.
 * @returns the express error middleware.
 */
export function handleErrors(log: (line: string) => void): ErrorRequestHandler {
  return (error: HttpError, _req: Request, res: Response, _next) => {
    if (error.type === 'entity.too.large') {
      return sendError(res, 413, 'too_large', `Bodies are limited to ${BODY_LIMIT}.`);
    }
    if (error.type === 'entity.parse.failed') {
      return sendError(res, 400, 'invalid_json', 'The body is not valid JSON.');
    }
    const status = typeof error.status === 'number' && error.status >= 400 ? error.status : 500;
    if (status >= 500) log(`request failed: ${error.message}`);
    // A stream or a file already under way cannot turn into a JSON error: end it.
    if (res.headersSent) return void res.end();
    sendError(
      res,
      status,
      error.code ?? 'internal',
      status >= 500 ? 'The server could not do that; try again.' : error.message,
    );
  };
}
