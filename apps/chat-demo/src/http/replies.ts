import type { Response } from 'express';

/**
 * The body of every error answer: a stable `error` code for programs and a `message` for
 * people (the page shows it as is).
 */
export interface ErrorReply {
  readonly error: string;
  readonly message: string;
}

/**
 * Answers with `status` and an {@link ErrorReply}.
 * @param res - the response; nothing may have been sent yet.
 * @param status - an HTTP error status (4xx or 5xx).
 * @param error - the stable code, e.g. `invalid_name`.
 * @param message - what was wrong and what to do.
 */
export function sendError(res: Response, status: number, error: string, message: string): void {
  const body: ErrorReply = { error, message };
  res.status(status).json(body);
}

/**
 * 401 for a request without a valid session cookie (the page then shows the login form).
 * @param res - the response.
 */
export function sendUnauthenticated(res: Response): void {
  sendError(res, 401, 'unauthenticated', 'Log in first.');
}

/**
 * 400 for a room name outside 1–64 characters of `a-z 0-9 _ -`.
 * @param res - the response.
 */
export function sendInvalidRoom(res: Response): void {
  sendError(res, 400, 'invalid_room', 'room must be 1-64 characters of a-z 0-9 _ -');
}
