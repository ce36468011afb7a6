import { createHash } from 'node:crypto';
import type { AnyRedis } from './connection.js';

/** A Lua script run by SHA, loaded on demand (`NOSCRIPT` → `EVAL`). */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// Creating the epoch (SET NX), incrementing the counter and publishing happen in one
// atomic step, so positions are globally ordered, never reused, and delivered in position
// order. Message on the wire: `<epoch>:<sequence> <payload>`. Leaves `position`.
const PUBSUB_APPEND = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local epoch = redis.call('GET', KEYS[1])
local seq = redis.call('INCR', KEYS[2])
local position = epoch .. ':' .. seq
redis.call('PUBLISH', ARGV[3], position .. ' ' .. ARGV[2])
`;

// Each entry carries its epoch (field `e`) so a reader always knows which epoch an id
// belongs to, even across a Redis restart. Leaves `epoch` and `id`.
const STREAMS_APPEND = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local epoch = redis.call('GET', KEYS[1])
local threshold = ARGV[4]
if ARGV[3] == 'MINID' then
  local now = redis.call('TIME')
  threshold = tostring(tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[4]))
end
local id = redis.call('XADD', KEYS[2], ARGV[3], '~', threshold, '*', 'e', epoch, 'p', ARGV[2])
`;

/**
 * Wraps an append in the idempotency check: `KEYS[3]` is the key-derived Redis key, the
 * window (ms) the last ARGV. A key that exists answers `{ first position, 1 }` and appends
 * nothing; otherwise the entry is appended, then the key set to its position with the
 * window as expiry, and the answer is `{ position, 0 }`. The check comes first and the key
 * is written last: Redis does not roll back a script's earlier writes when a later command
 * fails, so a failed append never leaves a key behind that would swallow the retry. The
 * script is atomic, so no other publish runs between the check and the write (the effect of
 * `SET NX`, without a placeholder that a failure could strand).
 */
function once(append: string, position: string, windowArg: number): string {
  // `position` is the Lua expression of the new entry's position after `append`.
  return `
local first = redis.call('GET', KEYS[3])
if first then return { first, 1 } end
${append}
local appended = ${position}
redis.call('SET', KEYS[3], appended, 'PX', ARGV[${windowArg}])
return { appended, 0 }
`;
}

/** Pub/sub publish. KEYS: epoch, sequence. ARGV: epoch candidate, payload, pub/sub channel. */
export const PUBSUB_PUBLISH: LuaScript = script(`${PUBSUB_APPEND}return position\n`);

/**
 * Pub/sub publish of a keyed message. KEYS: epoch, sequence, idempotency key. ARGV: epoch
 * candidate, payload, pub/sub channel, window ms. Returns `{ position, duplicate (0|1) }`.
 */
export const PUBSUB_PUBLISH_ONCE: LuaScript = script(once(PUBSUB_APPEND, 'position', 4));

/**
 * Pub/sub head. KEYS: epoch, sequence. ARGV: epoch candidate. Creates the epoch if missing
 * and returns `{ epoch, sequence }` (sequence `0` before the first publish) in one atomic
 * step: the position a member starts from, or resumes from after a resubscribe.
 */
export const PUBSUB_HEAD: LuaScript = script(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) or '0' }
`);

/**
 * Streams publish. KEYS: epoch, stream. ARGV: epoch candidate, payload, 'MAXLEN' or 'MINID',
 * bound (entry count, or age in ms for MINID). Returns `{ epoch, id }`.
 */
export const STREAMS_PUBLISH: LuaScript = script(`${STREAMS_APPEND}return { epoch, id }\n`);

/**
 * Streams publish of a keyed message. KEYS: epoch, stream, idempotency key. ARGV: as
 * {@link STREAMS_PUBLISH}, then the window in ms. Returns `{ position, duplicate (0|1) }`.
 */
export const STREAMS_PUBLISH_ONCE: LuaScript = script(
  once(STREAMS_APPEND, "epoch .. ':' .. id", 5),
);

/**
 * Runs `lua` by SHA and falls back to `EVAL` when the server does not know it yet (fresh
 * server, restart, failover to a replica that never saw it).
 */
export async function runScript(
  client: AnyRedis,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await client.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(lua.source, keys.length, ...keys, ...args);
  }
}
