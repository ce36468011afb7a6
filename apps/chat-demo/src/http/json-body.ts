import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { sendError } from './replies.js';

/** Largest request body; a larger one is answered 413 (see `handleErrors`). */
export const BODY_LIMIT = '16kb';

/**
 * Refuses a body that is not declared JSON with 415. Put it before {@link parseJson}.
 *
 * Why: a JSON content type cannot be sent cross-site without a CORS preflight, which this
 * server never grants; together with `SameSite=Lax` this closes the CSRF door that an HTML
 * form would open.
 * @param req - the request.
 * @param res - the response, answered 415 when the body is not JSON.
 * @param next - called when it is.
 */
export function requireJson(req: Request, res: Response, next: NextFunction): void {
  if (!req.is('application/json')) {
    sendError(res, 415, 'unsupported_media_type', 'Send Content-Type: application/json.');
    return;
  }
  next();
}

/**
 * The strict JSON body parser (objects and arrays only), limited to {@link BODY_LIMIT}. Parse
 * and size errors go on to `handleErrors` (400 and 413).
 */
export const parseJson: RequestHandler = express.json({ limit: BODY_LIMIT, strict: true });

/**
 * One field of a parsed JSON body, unchecked: the route's validator decides what it is.
 * @param req - a request that went through {@link parseJson}.
 * @param name - the field.
 * @returns the field's value, or `undefined` when the body has no such field.
 */
export function bodyField(req: Request, name: string): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return body?.[name];
}
