/**
 * Key layout for one channel. Every key carries the channel in a hash tag `{…}` so that a
 * Redis Cluster keeps a channel's keys in one slot (scripts touch several at once).
 *
 * | key | type | what |
 * |---|---|---|
 * | `<prefix>{<channel>}:epoch` | string | random id of this generation of the data |
 * | `<prefix>{<channel>}:stream` | stream | the log (streams mode) |
 * | `<prefix>{<channel>}:seq` | string | the position counter (pub/sub mode) |
 * | `<prefix>{<channel>}:pub` | pub/sub channel | where entries are published (pub/sub mode) |
 */
export interface ChannelKeys {
  readonly epoch: string;
  readonly stream: string;
  readonly seq: string;
  readonly pubsub: string;
}

/** The keys of `channel` under `prefix`. */
export function channelKeys(prefix: string, channel: string): ChannelKeys {
  const base = `${prefix}{${channel}}`;
  return {
    epoch: `${base}:epoch`,
    stream: `${base}:stream`,
    seq: `${base}:seq`,
    pubsub: `${base}:pub`,
  };
}
