import { SseError } from '../errors.js';
import type { Hub } from './hub.js';
import type { ConnectOptions } from './hub-api.js';
import type { SseConnection } from './hub-events.js';
import { type SseRequest, type SseResponse, writeRefusal } from './response-sink.js';

/**
 * What an application's resolver decided about a stream request:
 * the stream's identity (`{ user, rooms }`), `null` for "not authenticated" (401), or
 * `false` for "authenticated but not allowed" (403).
 */
export type StreamAccess = ConnectOptions | null | false;

/**
 * The part every framework binding shares: maps a resolver's decision to 401/403, or
 * opens the stream through {@link Hub.handle} (which answers 429/503 itself). Never
 * rejects. Resolves with the connection, or `undefined` when refused.
 *
 * @example
 * ```ts
 * http.createServer(async (req, res) => {
 *   const session = await sessions.get(req);
 *   await serveStream(hub, req, res, session ? { user: session.user, rooms: ['lobby'] } : null);
 * });
 * ```
 */
export async function serveStream(
  hub: Hub,
  request: SseRequest,
  response: SseResponse,
  access: StreamAccess,
): Promise<SseConnection | undefined> {
  if (access === null || access === undefined) {
    writeRefusal(
      response,
      new SseError('SSE_UNAUTHORIZED', 'This stream needs an authenticated user.'),
    );
    return undefined;
  }
  if (access === false) {
    writeRefusal(response, new SseError('SSE_FORBIDDEN', 'This user may not open this stream.'));
    return undefined;
  }
  return hub.handle(request, response, access);
}
