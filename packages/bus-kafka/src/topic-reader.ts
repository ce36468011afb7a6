import { randomBytes } from 'node:crypto';
import { within } from './driver.js';
import type { KafkaConsumerLike, KafkaLike } from './kafka-client.js';

/** A reader of one topic: its current consumer, and a way to stop it for good. */
export interface TopicReader {
  /** Every consumer group it created (one per consumer), to delete after. */
  readonly groupIds: string[];
  /** Resolves once the first consumer joined its group. */
  readonly joined: Promise<void>;
  close(): Promise<void>;
}

/** What a reader reports to. */
export interface TopicReaderEvents {
  /** A record, in partition order; `skipped` when offsets before it never arrived. */
  deliver(partition: number, offset: string, value: string, skipped: boolean): void;
  /** Its consumer joined (`true`) or crashed (`false`, with the cause). */
  state(joined: boolean, error?: Error): void;
  /** Something failed that reading survives (a stalled consumer that would not disconnect). */
  error(error: Error): void;
}

/**
 * Reads one topic without ever committing, deciding its own offsets: on every group join it
 * seeks each partition to the next offset it wants and hands over only that offset, so a
 * rejoin neither skips nor repeats. After a crash (a broker restart), if the consumer has
 * not joined again within `rejoinMs`, it is replaced by a fresh one that starts where this
 * reader was: KafkaJS's own restart can stall while the coordinator reloads.
 *
 * Each consumer has a group of its own: every instance must read every record, and consumer
 * groups would otherwise split the partitions between instances.
 */
export function openTopicReader(
  kafka: KafkaLike,
  topic: string,
  start: ReadonlyMap<number, bigint>,
  events: TopicReaderEvents,
  rejoinMs = 5_000,
): TopicReader {
  const next = new Map(start);
  const synced = new Set<number>();
  const groupIds: string[] = [];
  let current: KafkaConsumerLike | undefined;
  let closed = false;
  let watchdog: NodeJS.Timeout | undefined;
  let resolveJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => {
    resolveJoined = resolve;
  });

  const spawnConsumer = async (): Promise<void> => {
    const groupId = `sse-${topic}-${randomBytes(6).toString('hex')}`;
    groupIds.push(groupId);
    const consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      retry: {
        retries: 10,
        initialRetryTime: 200,
        maxRetryTime: 2000,
        restartOnFailure: async () => true,
      },
    });
    current = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer !== current) return;
      clearTimeout(watchdog);
      for (const [partition, offset] of next)
        consumer.seek({ topic, partition, offset: offset.toString() });
      events.state(true);
      resolveJoined();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      events.state(false, (event as { payload?: { error?: Error } })?.payload?.error);
      clearTimeout(watchdog);
      watchdog = setTimeout(() => void replace(consumer), rejoinMs);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (consumer !== current) return;
        const offset = BigInt(message.offset);
        const wanted = next.get(partition) ?? 0n;
        if (offset < wanted) return; // already handed over
        // Before our seek took effect the consumer may read from elsewhere: wait for ours.
        if (offset > wanted && !synced.has(partition)) return;
        synced.add(partition);
        next.set(partition, offset + 1n);
        events.deliver(
          partition,
          message.offset,
          message.value?.toString('utf8') ?? '',
          offset > wanted,
        );
      },
    });
  };

  const replace = async (stale: KafkaConsumerLike): Promise<void> => {
    if (closed || stale !== current) return;
    synced.clear();
    // A wedged consumer may never finish disconnecting: do not wait on it for long. Its
    // failure is reported, and the replacement goes ahead regardless.
    await within('drop a stalled consumer', rejoinMs, () => stale.disconnect()).catch(events.error);
    if (closed) return;
    // Armed before the attempt: a replacement that fails or never joins is replaced again.
    watchdog = setTimeout(() => void replace(current!), rejoinMs * 2);
    await within('start a consumer', rejoinMs * 2, () => spawnConsumer()).catch(
      (error: unknown) => {
        if (!closed) events.state(false, error as Error);
      },
    );
  };

  const ready = spawnConsumer();
  return {
    groupIds,
    joined: ready.then(() => joined),
    async close() {
      closed = true;
      clearTimeout(watchdog);
      // Only to wait for it: a first consumer that failed to start already failed start().
      await ready.catch(() => undefined);
      await current?.disconnect();
    },
  };
}
