/** A broker started by {@link startKafka}. */
export interface KafkaBroker {
  /** `host:port` for KafkaJS's `brokers`. */
  readonly brokers: string;
  /** The KRaft cluster id (new on every format). */
  readonly clusterId: string;
  /** How long the first start took, in ms. */
  readonly startMs: number;
  /** Stops the broker (SIGTERM, then SIGKILL after 15 s); data stays. */
  stop(): Promise<void>;
  /** Kills the broker (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data; resolves with the start time in ms. */
  start(): Promise<number>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/** Fetches the broker jars with Maven unless cached; returns their folder. */
export function fetchKafka(): string;

/** Formats a fresh single-node KRaft store and starts a broker on free ports. */
export function startKafka(options?: { startTimeoutMs?: number }): Promise<KafkaBroker>;
