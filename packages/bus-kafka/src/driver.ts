import { asBusError, SseError, withDeadline } from '@sse/core';
import type { KafkaLike } from './kafka-client.js';

/** The broker's name in error messages. */
export const KAFKA = 'Kafka';

/**
 * Runs `operation` within `ms`; a failure or the deadline becomes `SSE_BUS_UNAVAILABLE`
 * (an `SseError` passes as is).
 * @param action - what is asked, as a verb phrase: `read offsets`.
 */
export async function within<T>(
  action: string,
  ms: number,
  operation: () => Promise<T>,
): Promise<T> {
  try {
    return await withDeadline(
      operation(),
      ms,
      () => new SseError('SSE_BUS_UNAVAILABLE', `${KAFKA} could not ${action} within ${ms} ms.`),
    );
  } catch (error) {
    throw asBusError(KAFKA, action, error);
  }
}

/** Whether KafkaJS marked `error` as one a retry can cure. */
export const isRetriable = (error: unknown): boolean =>
  (error as { retriable?: unknown } | null)?.retriable === true;

/** A KafkaJS client with quiet logs and bounded retries, loaded only when needed. */
export async function createKafkaJs(
  brokers: readonly string[],
  timeoutMs: number,
): Promise<KafkaLike> {
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
