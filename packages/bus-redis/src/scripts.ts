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

/**
 * Pub/sub publish. KEYS: epoch, sequence. ARGV: epoch candidate, payload, pub/sub channel.
 * Creating the epoch (SET NX), incrementing the counter and publishing happen in one atomic
 * step, so positions are globally ordered, never reused, and delivered in position order.
 * Message on the wire: `<epoch>:<sequence> <payload>`.
 */
export const PUBSUB_PUBLISH: LuaScript = script(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local epoch = redis.call('GET', KEYS[1])
local seq = redis.call('INCR', KEYS[2])
local position = epoch .. ':' .. seq
redis.call('PUBLISH', ARGV[3], position .. ' ' .. ARGV[2])
return position
`);

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
 * bound (entry count, or age in ms for MINID). Each entry carries its epoch (field `e`) so a
 * reader always knows which epoch an id belongs to, even across a Redis restart.
 * Returns `{ epoch, id }`.
 */
export const STREAMS_PUBLISH: LuaScript = script(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local epoch = redis.call('GET', KEYS[1])
local threshold = ARGV[4]
if ARGV[3] == 'MINID' then
  local now = redis.call('TIME')
  threshold = tostring(tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[4]))
end
local id = redis.call('XADD', KEYS[2], ARGV[3], '~', threshold, '*', 'e', epoch, 'p', ARGV[2])
return { epoch, id }
`);

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
