import { SseError } from '@sse/core';
import type { KafkaLike } from './kafka-client.js';

/** Options for {@link createKafkaBus}. */
export interface KafkaBusOptions {
  /** Namespace of this log: one topic per channel. Letters, digits, `.`, `_` and `-`. */
  readonly channel: string;
  /** Broker addresses, when the bus creates its own KafkaJS client. @default ['127.0.0.1:9092'] */
  readonly brokers?: readonly string[] | string;
  /** Your own KafkaJS (or compatible) client instead; the bus disconnects only what it created from it. */
  readonly kafka?: KafkaLike;
  /** The topic is `<topicPrefix><channel>`. @default 'sse.' */
  readonly topicPrefix?: string;
  /** Partitions when the bus creates the topic. Order is global only with 1. @default 1 */
  readonly partitions?: number;
  /** `retention.ms` when the bus creates the topic. @default 604800000 (7 days) */
  readonly retentionMs?: number;
  /** `max.message.bytes` when the bus creates the topic. @default 4194304 (4 MiB) */
  readonly maxMessageBytes?: number;
  /** Longest a publish or history read may take before it rejects. @default 8000 */
  readonly publishTimeoutMs?: number;
  /** Longest `start()` waits to join. @default 30000 */
  readonly startTimeoutMs?: number;
}

const CHANNEL = /^[A-Za-z0-9._-]{1,200}$/;

/** Checks the options. @throws SseError `SSE_INVALID_OPTION` */
export function checkOptions(options: KafkaBusOptions): void {
  if (typeof options?.channel !== 'string' || !CHANNEL.test(options.channel)) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `createKafkaBus: channel must be 1–200 characters of [A-Za-z0-9._-] (it names a topic), got ${JSON.stringify(options?.channel)}.`,
    );
  }
  for (const name of [
    'partitions',
    'retentionMs',
    'maxMessageBytes',
    'publishTimeoutMs',
    'startTimeoutMs',
  ] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new SseError(
        'SSE_INVALID_OPTION',
        `createKafkaBus: ${name} must be a positive number, got ${value}.`,
      );
    }
  }
}
