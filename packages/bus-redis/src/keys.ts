/** Every Redis key and pub/sub channel name one bus channel uses. */
export interface ChannelKeys {
  /** Random epoch of this channel's log, created with `SET NX` beside the data. */
  readonly epoch: string;
  /** Pub/sub mode: the sequence counter. */
  readonly sequence: string;
  /** Pub/sub mode: the Redis pub/sub channel. */
  readonly pubsub: string;
  /** Streams mode: the stream. */
  readonly stream: string;
  /** Both modes: the Redis key that holds an idempotency key's first position. */
  idempotency(key: string): string;
}

/**
 * Key layout: `<prefix>{<channel>}:<part>`. The hash tag `{<channel>}` puts all of a
 * channel's keys in one Cluster slot, which the Lua scripts and `MULTI` need.
 * @param prefix - the `keyPrefix` option.
 * @param channel - the validated channel name.
 */
export function channelKeys(prefix: string, channel: string): ChannelKeys {
  const base = `${prefix}{${channel}}`;
  return {
    epoch: `${base}:epoch`,
    sequence: `${base}:seq`,
    pubsub: `${base}:pubsub`,
    stream: `${base}:stream`,
    // The key is checked to have no braces, so it stays in the channel's slot.
    idempotency: (key) => `${base}:idem:${key}`,
  };
}
