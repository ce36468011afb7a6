import type { Hub } from '@sse/core';
import type { IRouter } from 'express';
import { bodyField, parseJson, requireJson } from '../http/json-body.js';
import { sendError, sendUnauthenticated } from '../http/replies.js';
import { SESSION_COOKIE, type SessionCodec } from '../session.js';
import { checkName } from '../validation.js';

/** What the session routes need. */
export interface SessionRoutesDeps {
  readonly sessions: SessionCodec;
  /** Named in `GET /me`: which instance and bus answered. */
  readonly hub: Hub;
}

/**
 * `POST /login`, `POST /logout` and `GET /me`.
 *
 * There is no account: a valid name is the login, and the signed cookie is the whole
 * session (any instance with the same secret can read it).
 * @param app - the express app to add the routes to.
 * @param deps - the session codec and the hub.
 */
export function addSessionRoutes(app: IRouter, { sessions, hub }: SessionRoutesDeps): void {
  app.post('/login', requireJson, parseJson, (req, res) => {
    const name = checkName(bodyField(req, 'name'));
    if (!name.ok) return sendError(res, 400, 'invalid_name', name.error);
    res.setHeader('Set-Cookie', sessions.issue(name.value));
    res.json({ user: name.value });
  });

  app.post('/logout', (_req, res) => {
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    res.status(204).end();
  });

  app.get('/me', (req, res) => {
    const user = sessions.read(req.headers.cookie);
    if (!user) return sendUnauthenticated(res);
    res.json({ user, instance: hub.instanceId, bus: hub.bus.kind });
  });
}
