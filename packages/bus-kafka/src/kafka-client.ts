/**
 * The slice of the KafkaJS API this bus uses. KafkaJS itself satisfies it, and so does a
 * KafkaJS-compatible client (for example the KafkaJS-compatible API of Confluent's
 * client): pass it as `kafka` to avoid being tied to one driver. Only KafkaJS 2.2.4 is
 * tested here.
 */
export interface KafkaLike {
  producer(config?: Record<string, unknown>): KafkaProducerLike;
  consumer(config: { groupId: string } & Record<string, unknown>): KafkaConsumerLike;
  admin(config?: Record<string, unknown>): KafkaAdminLike;
}

/** Producer methods used. */
export interface KafkaProducerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: {
    topic: string;
    messages: { value: string }[];
    acks?: number;
    timeout?: number;
  }): Promise<{ partition: number; baseOffset?: string; offset?: string }[]>;
}

/** A message as the consumer hands it over. */
export interface KafkaMessageLike {
  readonly offset: string;
  readonly value: Buffer | null;
}

/** Consumer methods used. */
export interface KafkaConsumerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void>;
  run(config: {
    autoCommit?: boolean;
    eachMessage: (payload: {
      topic: string;
      partition: number;
      message: KafkaMessageLike;
    }) => Promise<void>;
  }): Promise<void>;
  seek(target: { topic: string; partition: number; offset: string }): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly events: {
    readonly GROUP_JOIN: string;
    readonly CRASH: string;
    readonly CONNECT: string;
    readonly DISCONNECT: string;
  };
}

/** Admin methods used. */
export interface KafkaAdminLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: {
      topic: string;
      numPartitions?: number;
      configEntries?: { name: string; value: string }[];
    }[];
    waitForLeaders?: boolean;
  }): Promise<boolean>;
  fetchTopicOffsets(topic: string): Promise<{ partition: number; low: string; high: string }[]>;
  describeCluster(): Promise<{ clusterId: string }>;
  deleteGroups(groupIds: string[]): Promise<unknown>;
}
