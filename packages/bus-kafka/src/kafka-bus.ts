import { randomBytes } from 'node:crypto';
import { type Bus, type BusEntry, type BusListener, type HistoryResult, SseError } from '@sse/core';
import type {
  KafkaAdminLike,
  KafkaConsumerLike,
  KafkaLike,
  KafkaProducerLike,
} from './kafka-client.js';
import { checkOptions, type KafkaBusOptions } from './options.js';
import { comparePositions, epochOf, parsePosition } from './position.js';
import { PublishQueue } from './publish-queue.js';

const unavailable = (what: string, error: unknown): SseError =>
  new SseError(
    'SSE_BUS_UNAVAILABLE',
    `Kafka failed ${what}: ${(error as Error)?.message ?? String(error)}`,
    {
      cause: error,
    },
  );

/** Whether KafkaJS marked `error` as one a retry can cure. */
const isRetriable = (error: unknown): boolean =>
  (error as { retriable?: unknown } | null)?.retriable === true;

/** Runs `operation` with a deadline; any failure becomes `SSE_BUS_UNAVAILABLE`. */
async function withDeadline<T>(what: string, ms: number, operation: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      operation(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new SseError('SSE_BUS_UNAVAILABLE', `Kafka did not answer ${what} within ${ms} ms.`),
            ),
          ms,
        );
      }),
    ]);
  } catch (error) {
    throw error instanceof SseError ? error : unavailable(what, error);
  } finally {
    clearTimeout(timer);
  }
}

/** A KafkaJS client with quiet logs and bounded retries, loaded only when needed. */
async function createKafkaJs(brokers: readonly string[], timeoutMs: number): Promise<KafkaLike> {
  const { Kafka, logLevel } = await import('kafkajs');
  return new Kafka({
    clientId: 'sse-bus-kafka',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(3000, timeoutMs),
    requestTimeout: timeoutMs,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  }) as unknown as KafkaLike;
}

/** A reader of one topic: its current consumer, and a way to stop it for good. */
interface TopicReader {
  readonly groupIds: string[];
  readonly joined: Promise<void>;
  close(): Promise<void>;
}

/**
 * Reads one topic without ever committing, deciding its own offsets: on every group join it
 * seeks each partition to the next offset it wants and hands over only that offset, so a
 * rejoin neither skips nor repeats. After a crash (a broker restart), if the consumer has
 * not joined again within `rejoinMs`, it is replaced by a fresh one that starts where this
 * reader was: KafkaJS's own restart can stall while the coordinator reloads.
 */
function openReader(
  kafka: KafkaLike,
  topic: string,
  start: Map<number, bigint>,
  deliver: (partition: number, offset: string, value: string, skipped: boolean) => void,
  onState: (joined: boolean, error?: Error) => void,
  onError: (error: Error) => void,
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
      onState(true);
      resolveJoined();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      onState(false, (event as { payload?: { error?: Error } })?.payload?.error);
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
        deliver(partition, message.offset, message.value?.toString('utf8') ?? '', offset > wanted);
      },
    });
  };

  const replace = async (stale: KafkaConsumerLike): Promise<void> => {
    if (closed || stale !== current) return;
    synced.clear();
    // A wedged consumer may never finish disconnecting: do not wait on it for long. Its
    // failure is reported, and the replacement goes ahead regardless.
    await withDeadline('to drop a stalled consumer', rejoinMs, () => stale.disconnect()).catch(
      onError,
    );
    if (closed) return;
    // Armed before the attempt: a replacement that fails or never joins is replaced again.
    watchdog = setTimeout(() => void replace(current!), rejoinMs * 2);
    await withDeadline('to start a consumer', rejoinMs * 2, () => spawnConsumer()).catch(
      (error: unknown) => {
        if (!closed) onState(false, error as Error);
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

/**
 * Creates a Kafka bus for one channel: one topic per channel (created if missing), read by
 * every instance through its own consumer group, so every instance receives every message
 * (consumer groups would otherwise split partitions between instances). Positions are
 * `<cluster epoch>:<partition>:<offset>`; with one partition (the default) the order is
 * global, with several it holds per partition.
 *
 * @example
 * ```ts
 * import { createHub } from '@sse/core';
 * import { createKafkaBus } from '@sse/bus-kafka';
 *
 * const hub = createHub({ bus: createKafkaBus({ brokers: ['127.0.0.1:9092'], channel: 'chat' }) });
 * await hub.ready();
 * ```
 * @throws SseError `SSE_INVALID_OPTION` for a bad channel or limit.
 */
export function createKafkaBus(options: KafkaBusOptions): Bus {
  checkOptions(options);
  const topic = `${options.topicPrefix ?? 'sse.'}${options.channel}`;
  const timeout = options.publishTimeoutMs ?? 8_000;
  const brokers =
    typeof options.brokers === 'string'
      ? options.brokers.split(',')
      : (options.brokers ?? ['127.0.0.1:9092']);
  let kafka: KafkaLike | undefined;
  let admin: KafkaAdminLike | undefined;
  let producer: KafkaProducerLike | undefined;
  let reader: TopicReader | undefined;
  let listener: BusListener | undefined;
  let epoch = '';
  let queue: PublishQueue | undefined;
  let starting = false;
  let closed = false;

  const ready = (): { kafka: KafkaLike; admin: KafkaAdminLike; producer: KafkaProducerLike } => {
    if (closed)
      throw new SseError(
        'SSE_BUS_CLOSED',
        `The Kafka bus for channel "${options.channel}" was closed.`,
      );
    if (!kafka || !admin || !producer) {
      throw new SseError(
        'SSE_BUS_UNAVAILABLE',
        'The Kafka bus was not started: call start() (the hub does) first.',
      );
    }
    return { kafka, admin, producer };
  };

  async function ensureTopic(client: KafkaAdminLike): Promise<void> {
    if ((await client.listTopics()).includes(topic)) return;
    await client.createTopics({
      topics: [
        {
          topic,
          numPartitions: options.partitions ?? 1,
          configEntries: [
            { name: 'retention.ms', value: String(options.retentionMs ?? 7 * 24 * 3600 * 1000) },
            // Room for the hub's largest payload (1 MiB by default) plus its envelope.
            {
              name: 'max.message.bytes',
              value: String(options.maxMessageBytes ?? 4 * 1024 * 1024),
            },
          ],
        },
      ],
      waitForLeaders: true,
    });
  }

  /**
   * Each partition's low and high offsets, within `ms` (else `SSE_BUS_UNAVAILABLE`). Retries
   * meanwhile what KafkaJS marks retriable: a partition whose leader is still being elected
   * (a topic just created, a broker just restarted) answers NOT_LEADER_FOR_PARTITION for a
   * moment, and KafkaJS's admin gives up on that at once.
   */
  function readOffsets(
    client: KafkaAdminLike,
    ms: number,
  ): Promise<Map<number, { low: bigint; high: bigint }>> {
    const stopAt = Date.now() + ms;
    return withDeadline('to read offsets', ms, () => highOffsets(client, stopAt));
  }

  async function highOffsets(
    client: KafkaAdminLike,
    stopAt: number,
  ): Promise<Map<number, { low: bigint; high: bigint }>> {
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        const offsets = await client.fetchTopicOffsets(topic);
        return new Map(
          offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]),
        );
      } catch (error) {
        if (closed || !isRetriable(error) || Date.now() + delay >= stopAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async function readAfter(position: string, limit: number): Promise<HistoryResult> {
    const parsed = parsePosition(position);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const { kafka: client, admin: adminClient } = ready();
    if (parsed.epoch !== epoch) return { ok: false, reason: 'epoch-mismatch' };
    const offsets = await readOffsets(adminClient, timeout);
    const range = offsets.get(parsed.partition);
    if (!range) return { ok: false, reason: 'unknown-position' };
    const from = parsed.offset + 1n;
    if (parsed.offset >= range.high) return { ok: false, reason: 'unknown-position' };
    if (from < range.low) return { ok: false, reason: 'trimmed' };
    const count = Number(range.high - from < BigInt(limit) ? range.high - from : BigInt(limit));
    if (count <= 0) return { ok: true, entries: [] };
    const entries: BusEntry[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    // A short-lived reader of this one partition from the cursor on: KafkaJS has no plain fetch.
    const report = (error: unknown): void =>
      listener?.error?.(unavailable('to clean up after a history read', error));
    const history = openReader(
      client,
      topic,
      new Map([[parsed.partition, from]]),
      (partition, offset, value) => {
        if (partition !== parsed.partition || entries.length >= count) return;
        entries.push({ position: `${epoch}:${partition}:${offset}`, payload: value });
        if (entries.length >= count) done();
      },
      // Its joins and crashes are not the bus's state; the deadline below bounds the read.
      () => undefined,
      report,
    );
    try {
      await withDeadline('a history read', timeout, () => Promise.all([history.joined, finished]));
    } finally {
      // The read has its entries either way; a consumer or group left behind is reported
      // (a leaked group is visible in Kafka's group list), not turned into a failed read.
      await history.close().catch(report);
      await adminClient.deleteGroups(history.groupIds).catch(report);
    }
    return { ok: true, entries };
  }

  return {
    kind: 'kafka',
    retainsHistory: true,
    async start(target) {
      if (closed)
        throw new SseError('SSE_BUS_CLOSED', 'This Kafka bus was closed; create a new one.');
      if (starting) throw new SseError('SSE_INVALID_OPTION', 'Bus.start() was already called.');
      starting = true;
      listener = target;
      const startTimeout = options.startTimeoutMs ?? 30_000;
      try {
        kafka = options.kafka ?? (await createKafkaJs(brokers, timeout));
        const client = kafka.admin();
        admin = client;
        await withDeadline('to connect', startTimeout, async () => {
          await client.connect();
          epoch = epochOf((await client.describeCluster()).clusterId);
          await ensureTopic(client);
        });
        const created = kafka.producer({
          allowAutoTopicCreation: false,
          retry: { retries: 2, initialRetryTime: 100 },
        });
        await withDeadline('to connect the producer', startTimeout, () => created.connect());
        producer = created;
        // With one partition a batch lands in one place, so a batch's positions follow from
        // its base offset; with several, each message is sent on its own (still in order).
        const partitions = (await readOffsets(client, startTimeout)).size;
        queue = new PublishQueue(
          async (payloads) => {
            const [result] = await created.send({
              topic,
              messages: payloads.map((value) => ({ value })),
              acks: -1,
              timeout,
            });
            const offset = result?.baseOffset ?? result?.offset;
            if (!result || offset === undefined)
              throw new SseError(
                'SSE_BUS_PROTOCOL',
                'Kafka acknowledged a publish without an offset.',
              );
            return { partition: result.partition, baseOffset: BigInt(offset) };
          },
          partitions === 1 ? 500 : 1,
        );
        // Every partition starts at the offset that exists now: nothing appended after
        // start() resolves can be missed.
        const offsets = await readOffsets(client, startTimeout);
        const start = new Map([...offsets].map(([partition, { high }]) => [partition, high]));
        const opened = openReader(
          kafka,
          topic,
          start,
          (partition, offset, value, skipped) => {
            if (closed) return;
            if (skipped)
              target.gap?.(`kafka skipped offsets before ${offset} on partition ${partition}`);
            target.entry({ position: `${epoch}:${partition}:${offset}`, payload: value });
          },
          (joined, error) => {
            if (!closed) target.status?.(joined ? 'ready' : 'reconnecting', error);
          },
          (error) => {
            if (!closed) target.error?.(error);
          },
        );
        reader = opened;
        await withDeadline('to join its consumer group', startTimeout, () => opened.joined);
        // The record before the first one this reader hands over (offset -1 when the
        // partition is empty). With several partitions this is partition 0's: order, and so
        // replay from history, holds per partition only.
        const first = Math.min(...start.keys());
        return { position: `${epoch}:${first}:${(start.get(first) ?? 0n) - 1n}` };
      } catch (error) {
        starting = false;
        throw error instanceof SseError ? error : unavailable('to start', error);
      }
    },
    async publish(payload) {
      ready();
      const { partition, offset } = await withDeadline('a publish', timeout, () =>
        queue!.push(payload),
      );
      return `${epoch}:${partition}:${offset}`;
    },
    readAfter,
    comparePositions,
    async close() {
      if (closed) return;
      closed = true;
      // Every step runs even when one fails; the failures are then reported together, so a
      // consumer group or connection left behind is never silent.
      const failures: string[] = [];
      const step = async (what: string, run: () => Promise<unknown> | undefined) => {
        try {
          await run();
        } catch (error) {
          failures.push(`${what}: ${(error as Error)?.message ?? String(error)}`);
        }
      };
      await step('stopping the reader', () => reader?.close());
      await step('disconnecting the producer', () => producer?.disconnect());
      if (reader)
        await step(`deleting consumer groups ${reader.groupIds.join(', ')}`, () =>
          admin?.deleteGroups(reader!.groupIds),
        );
      await step('disconnecting the admin client', () => admin?.disconnect());
      listener?.status?.('closed');
      if (failures.length > 0) {
        throw new SseError(
          'SSE_BUS_UNAVAILABLE',
          `The Kafka bus closed, but not cleanly: ${failures.join('; ')}.`,
        );
      }
    },
  };
}
