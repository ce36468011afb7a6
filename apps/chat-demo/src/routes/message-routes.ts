import { randomUUID } from 'node:crypto';
import type { Hub } from '@sse/core';
import type { IRouter } from 'express';
import { bodyField, parseJson, requireJson } from '../http/json-body.js';
import { sendError, sendInvalidRoom, sendUnauthenticated } from '../http/replies.js';
import type { SessionCodec } from '../session.js';
import { checkText, isRoom } from '../validation.js';

/** A chat message as it travels in `message` events. */
export interface ChatMessage {
  /** Server-made message id (stable across replays and instances; the page de-dups on it). */
  readonly id: string;
  readonly room: string;
  readonly user: string;
  readonly text: string;
  /** Milliseconds since the epoch, server clock. */
  readonly ts: number;
}

/** What the message route needs. */
export interface MessageRoutesDeps {
  readonly hub: Hub;
  readonly sessions: SessionCodec;
}

/**
 * `POST /rooms/:room/messages`: publishes a message to every stream of the room, on every
 * instance, and answers 201 with the hub's publish id (the SSE `id:` of the message).
 * @param app - the express app to add the routes to.
 * @param deps - the hub and the session codec.
 */
export function addMessageRoutes(app: IRouter, { hub, sessions }: MessageRoutesDeps): void {
  app.post('/rooms/:room/messages', requireJson, parseJson, async (req, res, next) => {
    const user = sessions.read(req.headers.cookie);
    if (!user) return sendUnauthenticated(res);
    const room = req.params.room;
    if (!isRoom(room)) return sendInvalidRoom(res);
    const text = checkText(bodyField(req, 'text'));
    if (!text.ok) return sendError(res, 400, 'invalid_text', text.error);
    // The author is the session's user; a `user` field in the body is ignored.
    const message: ChatMessage = { id: randomUUID(), room, user, text: text.value, ts: Date.now() };
    try {
      const receipt = await hub.publish({ to: { room }, event: 'message', data: message });
      res.status(201).json({ id: receipt.id, messageId: message.id });
    } catch (error) {
      next(error);
    }
  });
}
