// The goals, as numbers: the one place to change a target.

/** The goals, as numbers. */
export const TARGETS = {
  /** Burst fan-out: @sse/core deliveries/s at least this share of floor-coalesced. */
  burstVsCoalesced: 0.9,
  /** One message per tick: @sse/core at least this share of floor-frame. */
  tickVsFrame: 0.9,
  /** One message per tick with flushWindowMs 5: at least this multiple of floor-frame. */
  windowVsFrame: 5,
  /** flushWindowMs 5 at a paced rate: p99 latency at most this (5 ms window + 5 ms). */
  windowP99Ms: 10,
  /** Memory per idle connection: at most this multiple of floor-coalesced. */
  memoryVsCoalesced: 1.1,
  /** RSS growth in a burst: at most n × this (the per-connection queue bound). */
  queueBoundMiBPerConnection: 1,
  /** Cross-instance p99 at 1,000 msg/s on redis-pubsub and nats: at most this. */
  busP99Ms: 5,
  /** Reconnect storm: every client caught up in less than this. */
  reconnectMs: 2000,
};
