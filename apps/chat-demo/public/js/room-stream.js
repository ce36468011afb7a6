// The page's only contact with the transport: @sse/client (served by the app at
// /vendor/sse-client.js from the package's built ESM file). It reconnects with exponential
// backoff and full jitter, resumes with the Last-Event-ID header, drops repeated ids, stops on
// a 401, retries on 5xx, and surfaces the hub's sse-reset.
import { createEventStream } from '/vendor/sse-client.js';

/**
 * Opens the live stream of one room.
 * @param {string} room
 * @param {{
 *   onMessage(data: any, id: string | undefined): void,
 *   onPresence(data: any): void,
 *   onReset(reason: string): void,
 *   onState(state: 'connecting' | 'live' | 'reconnecting' | 'offline'): void,
 *   onUnauthorized(): void,
 * }} handlers
 */
export function openRoomStream(room, handlers) {
  let stream;
  let state = 'connecting';
  let everOpen = false;
  let closed = false;

  const setState = (next) => {
    if (next === state) return;
    state = next;
    handlers.onState(next);
  };

  const open = (lastEventId) => {
    stream = createEventStream(`/events?${new URLSearchParams({ room })}`, {
      lastEventId,
      credentials: 'same-origin',
      initialDelayMs: 500,
      maxDelayMs: 15_000,
    });
    stream.on('message', (data, message) => handlers.onMessage(data, message.id));
    stream.on('presence', (data) => handlers.onPresence(data));
    stream.on('reset', (info) => handlers.onReset(info?.reason ?? 'unknown'));
    stream.on('sse-shutdown', () => setState('reconnecting'));
    stream.on('state', (next) => {
      if (next === 'open') {
        everOpen = true;
        setState('live');
      } else if (next === 'connecting') {
        setState(navigator.onLine === false ? 'offline' : everOpen ? 'reconnecting' : 'connecting');
      } else if (!closed) setState('offline');
    });
    stream.on('error', (error) => {
      if (error.fatal && error.status === 401) {
        close();
        handlers.onUnauthorized();
      }
    });
  };

  // Back online: skip the rest of the backoff, resuming from the same id.
  const online = () => {
    if (closed || stream.state === 'open') return;
    const lastEventId = stream.lastEventId;
    stream.close();
    open(lastEventId);
  };
  window.addEventListener('online', online);

  const close = () => {
    closed = true;
    window.removeEventListener('online', online);
    stream.close();
  };

  handlers.onState('connecting');
  open('');
  return {
    close,
    get lastEventId() {
      return stream.lastEventId;
    },
    get state() {
      return state;
    },
    /** Drops the resume point: the next connection starts with the room's history. */
    restartFresh() {
      stream.close();
      setState('connecting');
      open('');
    },
  };
}
