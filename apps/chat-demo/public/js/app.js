// Chat page: login, rooms, presence, live messages. All user text goes through
// textContent (never innerHTML), so a message like <img src=x onerror=…> stays text.
import { openRoomStream } from './room-stream.js';

const $ = (id) => document.getElementById(id);
const ROOM = /^[a-z0-9_-]{1,64}$/;
const MAX_ROOMS = 4; // one stream per joined room; browsers allow ~6 per origin on HTTP/1.1
const STORAGE_KEY = 'chat-demo:rooms';

/** @type {Map<string, {stream: any, seen: Set<string>, messages: any[], users: string[], unread: number, state: string}>} */
const rooms = new Map();
let me = '';
let active = '';

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

async function api(path, body, headers = {}) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  let json = {};
  try {
    json = await response.json();
  } catch {
    // Empty or non-JSON answer (e.g. a proxy error page).
  }
  return { status: response.status, json };
}

// ---- session ------------------------------------------------------------------------------

async function boot() {
  const response = await fetch('/me', { credentials: 'same-origin', cache: 'no-store' }).catch(
    () => undefined,
  );
  if (response?.ok) {
    const json = await response.json();
    startChat(json.user);
  } else showLogin();
}

function showLogin(message = '') {
  for (const room of rooms.values()) room.stream.close();
  rooms.clear();
  $('chat-view').hidden = true;
  $('login-view').hidden = false;
  $('whoami').hidden = true;
  $('logout').hidden = true;
  $('login-error').textContent = message;
  setConn('offline');
  $('name').focus();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    const { status, json } = await api('/login', { name: $('name').value });
    if (status !== 200) {
      $('login-error').textContent = json.message ?? `Login failed (${status}).`;
      return;
    }
    startChat(json.user);
  } catch {
    $('login-error').textContent = 'The server is unreachable; try again.';
  }
});

$('logout').addEventListener('click', async () => {
  await fetch('/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  showLogin();
});

function startChat(user) {
  me = user;
  $('whoami').textContent = user;
  $('whoami').hidden = false;
  $('logout').hidden = false;
  $('login-view').hidden = true;
  $('chat-view').hidden = false;
  let saved = [];
  try {
    saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]').filter((r) => ROOM.test(r));
  } catch {
    saved = [];
  }
  const wanted = new URLSearchParams(location.search).get('room');
  for (const room of saved.length ? saved : ['lobby']) joinRoom(room, false);
  const first = [...rooms.keys()][0];
  selectRoom((wanted && ROOM.test(wanted) && joinRoom(wanted, false)) || first);
  $('text').focus();
}

// ---- rooms --------------------------------------------------------------------------------

function saveRooms() {
  localStorage.setItem(STORAGE_KEY, JSON.stringify([...rooms.keys()]));
}

function joinRoom(name, select = true) {
  if (rooms.has(name)) {
    if (select) selectRoom(name);
    return name;
  }
  if (rooms.size >= MAX_ROOMS) {
    $('join-error').textContent = `Leave a room first (at most ${MAX_ROOMS}).`;
    return active;
  }
  const room = {
    stream: undefined,
    seen: new Set(),
    messages: [],
    users: [],
    unread: 0,
    state: 'connecting',
    lastFresh: 0,
  };
  rooms.set(name, room);
  room.stream = openRoomStream(name, {
    onMessage: (data) => addMessage(name, data),
    onPresence: (data) => {
      if (data.room !== name || !Array.isArray(data.users)) return;
      room.users = data.users.map(String);
      if (name === active) renderPresence();
    },
    onReset: (reason) => {
      // The server could not prove we missed nothing (e.g. it restarted and lost its
      // memory): start again from the room's history; already shown messages are de-duplicated.
      if (name === active)
        showNotice(
          `Reconnected to a server that could not replay what you missed; re-syncing history (${reason}).`,
        );
      const now = Date.now();
      if (now - room.lastFresh > 5000) {
        room.lastFresh = now;
        room.stream.restartFresh();
      }
    },
    onState: (state) => {
      room.state = state;
      if (name === active) setConn(state);
      if (state === 'live' && name === active) hideNoticeSoon();
    },
    onUnauthorized: () => showLogin('Your session ended; pick a name again.'),
  });
  saveRooms();
  renderRooms();
  if (select) selectRoom(name);
  return name;
}

function leaveRoom(name) {
  const room = rooms.get(name);
  if (!room || rooms.size === 1) return;
  room.stream.close();
  rooms.delete(name);
  saveRooms();
  if (active === name) selectRoom([...rooms.keys()][0]);
  else renderRooms();
}

function selectRoom(name) {
  const room = rooms.get(name);
  if (!room) return;
  active = name;
  room.unread = 0;
  $('room-title').textContent = `#${name}`;
  setConn(room.state);
  $('notice').hidden = true;
  renderRooms();
  renderPresence();
  renderMessages();
  history.replaceState(null, '', `?room=${encodeURIComponent(name)}`);
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('join-room').value.trim().toLowerCase();
  $('join-error').textContent = '';
  if (!ROOM.test(name)) {
    $('join-error').textContent = 'Use 1-64 of a-z, 0-9, _ and -.';
    return;
  }
  joinRoom(name);
  $('join-room').value = '';
});

// ---- messages -----------------------------------------------------------------------------

function addMessage(name, data) {
  const room = rooms.get(name);
  if (!room || typeof data.id !== 'string' || room.seen.has(data.id)) return; // de-dup by id
  room.seen.add(data.id);
  room.messages.push(data);
  if (room.messages.length > 500) room.seen.delete(room.messages.shift().id);
  if (name === active) appendMessage(data, true);
  else {
    room.unread++;
    renderRooms();
  }
}

function messageNode(data) {
  const li = el('li', data.user === me ? 'msg mine' : 'msg');
  li.dataset.id = data.id;
  const meta = el('div', 'meta');
  meta.append(el('span', 'author', data.user));
  const time = el(
    'time',
    '',
    new Date(data.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
  );
  time.dateTime = new Date(data.ts).toISOString();
  meta.append(time);
  li.append(meta, el('div', 'body', data.text));
  return li;
}

function appendMessage(data, scroll) {
  const list = $('messages');
  list.querySelector('.empty')?.remove();
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  list.append(messageNode(data));
  if (scroll && (nearBottom || data.user === me)) list.scrollTop = list.scrollHeight;
}

function renderMessages() {
  const list = $('messages');
  list.replaceChildren();
  const room = rooms.get(active);
  if (!room || room.messages.length === 0)
    list.append(el('li', 'empty', 'No messages yet. Say hello!'));
  else for (const data of room.messages) list.append(messageNode(data));
  list.scrollTop = list.scrollHeight;
}

function renderPresence() {
  const room = rooms.get(active);
  const list = $('presence');
  list.replaceChildren(...(room?.users ?? []).map((user) => el('li', '', user)));
}

function renderRooms() {
  const list = $('rooms');
  list.replaceChildren(
    ...[...rooms.entries()].map(([name, room]) => {
      const li = el('li');
      const button = el('button');
      button.type = 'button';
      button.append(el('span', '', `#${name}`));
      if (room.unread > 0) button.append(el('span', 'badge', room.unread));
      button.setAttribute('aria-current', String(name === active));
      button.addEventListener('click', () => selectRoom(name));
      li.append(button);
      if (rooms.size > 1) {
        const leave = el('button', 'leave', '×');
        leave.type = 'button';
        leave.title = `Leave #${name}`;
        leave.setAttribute('aria-label', `Leave #${name}`);
        leave.addEventListener('click', () => leaveRoom(name));
        li.append(leave);
      }
      return li;
    }),
  );
}

// ---- sending, safely retried ---------------------------------------------------------------
// Every message gets an Idempotency-Key, made here and kept while the same text is being sent
// to the same room. When a post fails without an answer that says what happened (the network
// dropped, or a proxy answered 502/503/504 because an instance died after publishing), the
// page retries with the same key, and so does the user pressing Send again: the server answers
// a repeat with the first message's ids and never publishes it twice.

/** @type {{ room: string, text: string, key: string } | null} */
let pending = null;
const RETRY_DELAYS_MS = [500, 1500];
const UNKNOWN_OUTCOME = new Set([0, 502, 503, 504]);

function idempotencyKey(room, text) {
  if (pending?.room !== room || pending.text !== text) {
    // getRandomValues works on plain http too (randomUUID needs a secure context).
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const key = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    pending = { room, text, key };
  }
  return pending.key;
}

async function postMessage(room, text) {
  const headers = { 'idempotency-key': idempotencyKey(room, text) };
  for (let attempt = 0; ; attempt++) {
    const result = await api(
      `/rooms/${encodeURIComponent(room)}/messages`,
      { text },
      headers,
    ).catch(() => ({ status: 0, json: {} }));
    if (!UNKNOWN_OUTCOME.has(result.status) || attempt >= RETRY_DELAYS_MS.length) return result;
    $('send-error').textContent = 'Connection trouble; sending again…';
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
  }
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('text').value;
  if (text.trim() === '' || !active) return;
  $('send').disabled = true;
  $('send-error').textContent = '';
  try {
    const { status, json } = await postMessage(active, text);
    if (status === 201) {
      pending = null;
      $('text').value = '';
      $('send-error').textContent = '';
    } else if (status === 401) showLogin('Your session ended; pick a name again.');
    else if (status === 0)
      $('send-error').textContent =
        'Not sent: the server is unreachable. Your text is kept; try again.';
    else $('send-error').textContent = json.message ?? `Not sent (${status}); try again.`;
  } finally {
    $('send').disabled = false;
    $('text').focus();
  }
});

$('text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});

// ---- connection state ---------------------------------------------------------------------

const LABELS = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  offline: 'offline',
};
function setConn(state) {
  const node = $('conn');
  node.dataset.state = state;
  node.textContent = LABELS[state] ?? state;
  document.body.dataset.conn = state;
}

let noticeTimer;
function showNotice(text) {
  clearTimeout(noticeTimer);
  $('notice').textContent = text;
  $('notice').hidden = false;
}
function hideNoticeSoon() {
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    $('notice').hidden = true;
  }, 3000);
}
window.addEventListener('offline', () => setConn('offline'));

boot();
