import { createHash, randomUUID } from 'node:crypto';
import type { Hub } from '@sse/core';
import type { IRouter } from 'express';
import { bodyField, parseJson, requireJson } from '../http/json-body.js';
import { sendError, sendInvalidRoom, sendUnauthenticated } from '../http/replies.js';
import type { SessionCodec } from '../session.js';
import { checkIdempotencyKey, checkText, isRoom } from '../validation.js';

/** A chat message as it travels in `message` events. */
export interface ChatMessage {
  /**
   * Server-made message id (stable across replays and instances; the page de-dups on it):
   * derived from the user and the `Idempotency-Key` when the page sent one, so that a retry
   * names the same message, else a random UUID.
   */
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
 * The hub's idempotency key for a key the page chose: scoped by the user (a hash, since names
 * may hold any character), so that keys of different users never meet.
 */
function scopedKey(user: string, key: string): string {
  return `${createHash('sha256').update(user).digest('base64url').slice(0, 16)}.${key}`;
}

/**
 * `POST /rooms/:room/messages`: publishes a message to every stream of the room, on every
 * instance, and answers 201 with the hub's publish id (the SSE `id:` of the message).
 *
 * With an `Idempotency-Key` header (the page sends one per message and the same one when it
 * retries), a repeat within the hub's window, on any instance, is not published again: it is
 * answered like the first, 201 with the same ids, plus `Idempotent-Replayed: true`. So a post
 * whose answer was lost (a 502 from the proxy when an instance died after publishing, a
 * timeout, a dropped connection) can be retried without the message appearing twice.
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
    const key = checkIdempotencyKey(req.headers['idempotency-key']);
    if (!key.ok) return sendError(res, 400, 'invalid_idempotency_key', key.error);
    const idempotencyKey = key.value === undefined ? undefined : scopedKey(user, key.value);
    // The author is the session's user; a `user` field in the body is ignored.
    const id = idempotencyKey ?? randomUUID();
    const message: ChatMessage = { id, room, user, text: text.value, ts: Date.now() };
    try {
      const receipt = await hub.publish({
        to: { room },
        event: 'message',
        data: message,
        idempotencyKey,
      });
      if (receipt.duplicate) res.setHeader('Idempotent-Replayed', 'true');
      res.status(201).json({ id: receipt.id, messageId: message.id });
    } catch (error) {
      next(error);
    }
  });
}
