// The page's only contact with the transport. Today: the browser's EventSource, with our
// own reconnect (backoff with jitter) when EventSource gives up (it stops for good on any
// non-200 answer, e.g. a 502/503 while a server restarts). Swap the body for @sse/client's
// createEventStream later; app.js only sees openRoomStream() and its callbacks.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/**
 * Opens the live stream of one room.
 * @param {string} room
 * @param {{
 *   onMessage(data: any, id: string): void,
 *   onPresence(data: any): void,
 *   onReset(reason: string): void,
 *   onState(state: 'connecting' | 'live' | 'reconnecting' | 'offline'): void,
 *   onUnauthorized(): void,
 * }} handlers
 * @returns {{ close(): void, readonly lastEventId: string, readonly state: string }}
 */
export function openRoomStream(room, handlers) {
  let lastEventId = '';
  let source;
  let timer;
  let attempt = 0;
  let closed = false;
  let state = 'connecting';

  const setState = (next) => {
    if (next === state) return;
    state = next;
    handlers.onState(next);
  };
  const track = (event) => {
    if (event.lastEventId) lastEventId = event.lastEventId;
  };
  const parse = (event) => {
    try {
      return JSON.parse(event.data);
    } catch {
      return undefined;
    }
  };

  const connect = () => {
    if (closed) return;
    const params = new URLSearchParams({ room });
    // EventSource cannot set Last-Event-ID on its first request: the hub reads the query.
    if (lastEventId) params.set('lastEventId', lastEventId);
    source = new EventSource(`/events?${params}`);
    source.onopen = () => {
      attempt = 0;
      setState('live');
    };
    source.addEventListener('message', (event) => {
      track(event);
      const data = parse(event);
      if (data) handlers.onMessage(data, event.lastEventId);
    });
    source.addEventListener('presence', (event) => {
      track(event);
      const data = parse(event);
      if (data) handlers.onPresence(data);
    });
    source.addEventListener('sse-reset', (event) => {
      track(event);
      handlers.onReset(parse(event)?.reason ?? 'unknown');
    });
    source.addEventListener('sse-shutdown', () => setState('reconnecting'));
    source.onerror = () => {
      if (closed) return;
      if (source.readyState === EventSource.CONNECTING) {
        // The browser retries by itself and sends Last-Event-ID.
        setState('reconnecting');
        return;
      }
      source.close();
      setState(navigator.onLine === false ? 'offline' : 'reconnecting');
      schedule();
    };
  };

  const schedule = async () => {
    clearTimeout(timer);
    // Was it a lost session (401)? Then reconnecting cannot help.
    try {
      const me = await fetch('/me', { credentials: 'same-origin', cache: 'no-store' });
      if (me.status === 401) {
        close();
        handlers.onUnauthorized();
        return;
      }
    } catch {
      // Server unreachable: keep backing off.
    }
    const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt++);
    timer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  };

  const close = () => {
    closed = true;
    window.removeEventListener('online', online);
    clearTimeout(timer);
    source?.close();
  };

  // Back online: skip the rest of the backoff.
  const online = () => {
    if (closed || state === 'live' || source?.readyState === EventSource.OPEN) return;
    clearTimeout(timer);
    source?.close();
    attempt = 0;
    connect();
  };
  window.addEventListener('online', online);

  handlers.onState('connecting');
  connect();
  return {
    close,
    get lastEventId() {
      return lastEventId;
    },
    get state() {
      return state;
    },
    /** Drops the resume point: the next connection starts with the room's history. */
    restartFresh() {
      lastEventId = '';
      source?.close();
      attempt = 0;
      setState('connecting');
      connect();
    },
  };
}
