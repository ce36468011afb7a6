import type { Hub } from '@sse/core';
import { sse } from '@sse/express';
import type { IRouter, Request } from 'express';
import type { HistoryTap } from '../history-tap.js';
import { sendInvalidRoom } from '../http/replies.js';
import type { SessionCodec } from '../session.js';
import { isRoom } from '../validation.js';

/** What the room stream needs. */
export interface RoomStreamDeps {
  readonly hub: Hub;
  readonly sessions: SessionCodec;
  /** Where a fresh stream's history starts. */
  readonly tap: HistoryTap;
}

/**
 * `GET /events?room=<room>`: the session user's SSE stream of one room, history first.
 *
 * A bad room is refused with 400 before the binding runs; a missing session is the
 * binding's 401 (the resolver answers `null`).
 * @param app - the express app to add the routes to.
 * @param deps - the hub, the session codec and the history tap.
 */
export function addRoomStreamRoute(app: IRouter, { hub, sessions, tap }: RoomStreamDeps): void {
  app.get(
    '/events',
    (req, res, next) => {
      if (!isRoom(req.query.room)) return sendInvalidRoom(res);
      next();
    },
    sse(hub, {
      resolve: (req: Request) => {
        const user = sessions.read(req.headers.cookie);
        if (!user) return null;
        const room = req.query.room as string;
        const sent = req.headers['last-event-id'] ?? req.query.lastEventId;
        // A fresh join starts just before the room's recent messages: the hub's replay
        // machinery sends the history, then live messages, with no gap in between. A
        // resuming stream keeps its own Last-Event-ID.
        const start = sent ? undefined : tap.historyStart(room);
        return start ? { user, rooms: [room], lastEventId: start } : { user, rooms: [room] };
      },
    }),
  );
}
