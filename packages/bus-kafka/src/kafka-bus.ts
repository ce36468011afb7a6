import {
  asBusError,
  type Bus,
  BusGuard,
  type BusListener,
  type BusStart,
  SseError,
} from '@sse/core';
import { createKafkaJs, KAFKA, within } from './driver.js';
import { readHistory } from './history-reads.js';
import type { KafkaLike, KafkaProducerLike } from './kafka-client.js';
import { checkOptions, type KafkaBusOptions } from './options.js';
import { comparePositions, epochOf, formatPosition } from './position.js';
import { PublishQueue } from './publish-queue.js';
import { TopicAdmin } from './topic-admin.js';
import { openTopicReader, type TopicReader } from './topic-reader.js';

/** What `start()` sets up. */
interface Started {
  readonly kafka: KafkaLike;
  readonly admin: TopicAdmin;
  readonly producer: KafkaProducerLike;
  readonly queue: PublishQueue;
  readonly reader: TopicReader;
  readonly epoch: string;
  /** Where the reader starts: see `start()`. */
  readonly origin: string;
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
  const startTimeout = options.startTimeoutMs ?? 30_000;
  const brokers =
    typeof options.brokers === 'string'
      ? options.brokers.split(',')
      : (options.brokers ?? ['127.0.0.1:9092']);
  const guard = new BusGuard(KAFKA);
  /** What start() opened so far, for close() to undo also after a failed start. */
  const opened: { admin?: TopicAdmin; producer?: KafkaProducerLike; reader?: TopicReader } = {};
  let started: Started | undefined;
  let listener: BusListener | undefined;

  /** Sends a batch of payloads; with one partition a batch's positions follow from its base offset. */
  const sender =
    (producer: KafkaProducerLike) =>
    async (payloads: string[]): Promise<{ partition: number; baseOffset: bigint }> => {
      const [result] = await producer.send({
        topic,
        messages: payloads.map((value) => ({ value })),
        acks: -1,
        timeout,
      });
      const offset = result?.baseOffset ?? result?.offset;
      if (!result || offset === undefined)
        throw new SseError('SSE_BUS_PROTOCOL', 'Kafka acknowledged a publish without an offset.');
      return { partition: result.partition, baseOffset: BigInt(offset) };
    };

  async function open(target: BusListener): Promise<Started> {
    const kafka = options.kafka ?? (await createKafkaJs(brokers, timeout));
    const admin = new TopicAdmin(kafka.admin(), topic, options, () => guard.isClosed);
    opened.admin = admin;
    let epoch = '';
    await within('connect', startTimeout, async () => {
      await admin.client.connect();
      epoch = epochOf((await admin.client.describeCluster()).clusterId);
      await admin.ensureTopic();
    });
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      retry: { retries: 2, initialRetryTime: 100 },
    });
    await within('connect the producer', startTimeout, () => producer.connect());
    opened.producer = producer;
    // Every partition starts at the offset that exists now: nothing appended after
    // start() resolves can be missed.
    const offsets = await admin.readOffsets(startTimeout);
    // With several partitions each message is sent on its own (still in order).
    const queue = new PublishQueue(sender(producer), offsets.size === 1 ? 500 : 1);
    const start = new Map([...offsets].map(([partition, { high }]) => [partition, high]));
    const reader = openTopicReader(kafka, topic, start, {
      deliver: (partition, offset, value, skipped) => {
        if (guard.isClosed) return;
        if (skipped) target.gap(`kafka skipped offsets before ${offset} on partition ${partition}`);
        target.entry({ position: formatPosition(epoch, partition, offset), payload: value });
      },
      state: (joined, error) => {
        if (!guard.isClosed) target.status(joined ? 'ready' : 'reconnecting', error);
      },
      error: (error) => {
        if (!guard.isClosed) target.error(error);
      },
    });
    opened.reader = reader;
    await within('join its consumer group', startTimeout, () => reader.joined);
    // The record before the first one the reader hands over (offset -1 when the partition
    // is empty). With several partitions this is partition 0's: order, and so replay from
    // history, holds per partition only.
    const first = Math.min(...start.keys());
    const origin = formatPosition(epoch, first, (start.get(first) ?? 0n) - 1n);
    return { kafka, admin, producer, queue, reader, epoch, origin };
  }

  return {
    kind: 'kafka',
    retainsHistory: true,
    // Kafka has no way to refuse a repeated key within a window (its idempotent producer
    // only covers the producer's own retries): the hubs drop repeats (see the README).
    deduplicates: false,
    async start(target): Promise<BusStart> {
      guard.beginStart();
      listener = target;
      try {
        started = await open(target);
      } catch (error) {
        guard.startFailed();
        throw asBusError(KAFKA, 'start', error);
      }
      guard.started();
      return { position: started.origin };
    },
    async publish(payload) {
      guard.assertUsable('publish');
      const { queue, epoch } = started!;
      const { partition, offset } = await within('publish', timeout, () => queue.push(payload));
      return formatPosition(epoch, partition, offset);
    },
    readAfter(position, limit) {
      guard.assertUsable('read history');
      const { kafka, admin, epoch } = started!;
      const report = (error: Error) => listener?.error(error);
      return readHistory({ kafka, admin, epoch, timeoutMs: timeout, report }, position, limit);
    },
    comparePositions,
    async close() {
      if (!guard.close()) return;
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
      const { admin, producer, reader } = opened;
      await step('stopping the reader', () => reader?.close());
      await step('disconnecting the producer', () => producer?.disconnect());
      if (reader)
        await step(`deleting consumer groups ${reader.groupIds.join(', ')}`, () =>
          admin?.client.deleteGroups(reader.groupIds),
        );
      await step('disconnecting the admin client', () => admin?.client.disconnect());
      listener?.status('closed');
      if (failures.length > 0) {
        throw new SseError(
          'SSE_BUS_UNAVAILABLE',
          `The Kafka bus closed, but not cleanly: ${failures.join('; ')}.`,
        );
      }
    },
  };
}
