/**
 * Lua scripts: each step that must be atomic on the server runs as one script, so the
 * epoch, the position and the append can never disagree.
 */

/**
 * Lua that sets `epoch` to the channel's epoch, creating it from `fresh` when Redis lost it
 * (then runs `onNew`, e.g. to reset a counter of the lost generation).
 */
function epochOf(key: string, fresh: string, onNew = ''): string {
  return `local epoch = redis.call('GET', ${key})
if not epoch then
  epoch = ${fresh}
  redis.call('SET', ${key}, epoch)
  ${onNew}
end
`;
}

/**
 * Streams mode. KEYS: stream, epoch. ARGV: payload, fresh epoch, trim strategy
 * (`MAXLEN` or `MINID`), trim threshold. Returns `{ epoch, id }`. The epoch is written into
 * every entry, so a reader knows which generation an ID belongs to.
 */
export const STREAM_APPEND: string = `
${epochOf('KEYS[2]', 'ARGV[2]')}local id
if ARGV[3] == 'MINID' then
  id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[4], '*', 'e', epoch, 'p', ARGV[1])
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'e', epoch, 'p', ARGV[1])
end
return { epoch, id }
`;

/**
 * Pub/sub mode. KEYS: counter, epoch. ARGV: payload, fresh epoch, pub/sub channel.
 * Increments the counter and publishes `<epoch>:<n>\\n<payload>` in one step, so every
 * subscriber sees positions in the order they were assigned. Returns the position.
 */
export const PUBSUB_APPEND: string = `
${epochOf('KEYS[2]', 'ARGV[2]', "redis.call('DEL', KEYS[1])")}local n = redis.call('INCR', KEYS[1])
local position = epoch .. ':' .. n
redis.call('PUBLISH', ARGV[3], position .. '\\n' .. ARGV[1])
return position
`;

/** KEYS: epoch. ARGV: fresh epoch. Returns the current epoch, creating it if missing. */
export const ENSURE_EPOCH: string = `
${epochOf('KEYS[1]', 'ARGV[1]')}
return epoch
`;
