import { isRetriable, within } from './driver.js';
import type { KafkaAdminLike } from './kafka-client.js';
import type { KafkaBusOptions } from './options.js';

/** A partition's first and next offsets. */
export interface OffsetRange {
  readonly low: bigint;
  readonly high: bigint;
}

/** The admin side of one topic: creating it, and reading its offsets. */
export class TopicAdmin {
  constructor(
    readonly client: KafkaAdminLike,
    readonly topic: string,
    private readonly options: Pick<
      KafkaBusOptions,
      'partitions' | 'retentionMs' | 'maxMessageBytes'
    >,
    private readonly isClosed: () => boolean,
  ) {}

  /** Creates the topic when it does not exist (with the bus's partitions and retention). */
  async ensureTopic(): Promise<void> {
    const { client, topic, options } = this;
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
  readOffsets(ms: number): Promise<Map<number, OffsetRange>> {
    const stopAt = Date.now() + ms;
    return within('read offsets', ms, () => this.offsetsUntil(stopAt));
  }

  private async offsetsUntil(stopAt: number): Promise<Map<number, OffsetRange>> {
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        const offsets = await this.client.fetchTopicOffsets(this.topic);
        return new Map(
          offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]),
        );
      } catch (error) {
        if (this.isClosed() || !isRetriable(error) || Date.now() + delay >= stopAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
