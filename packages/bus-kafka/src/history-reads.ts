import { type BusEntry, busUnavailable, type HistoryResult } from '@sse/core';
import { KAFKA, within } from './driver.js';
import type { KafkaLike } from './kafka-client.js';
import { formatPosition, parsePosition } from './position.js';
import type { TopicAdmin } from './topic-admin.js';
import { openTopicReader } from './topic-reader.js';

/** What a history read needs. */
export interface HistoryContext {
  readonly kafka: KafkaLike;
  readonly admin: TopicAdmin;
  readonly epoch: string;
  readonly timeoutMs: number;
  /** Where failures the read survives are reported (a consumer group left behind). */
  readonly report: (error: Error) => void;
}

/**
 * Reads at most `limit` records of one partition after `position` (the Bus's `readAfter`).
 * KafkaJS has no plain fetch, so a short-lived reader of that one partition does it.
 */
export async function readHistory(
  context: HistoryContext,
  position: string,
  limit: number,
): Promise<HistoryResult> {
  const parsed = parsePosition(position);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const { kafka, admin, epoch, timeoutMs } = context;
  if (parsed.epoch !== epoch) return { ok: false, reason: 'epoch-mismatch' };
  const range = (await admin.readOffsets(timeoutMs)).get(parsed.partition);
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
  const report = (error: unknown): void =>
    context.report(busUnavailable(KAFKA, 'clean up after a history read', error));
  const reader = openTopicReader(kafka, admin.topic, new Map([[parsed.partition, from]]), {
    deliver: (partition, offset, value) => {
      if (partition !== parsed.partition || entries.length >= count) return;
      entries.push({ position: formatPosition(epoch, partition, offset), payload: value });
      if (entries.length >= count) done();
    },
    // Its joins and crashes are not the bus's state; the deadline below bounds the read.
    state: () => undefined,
    error: report,
  });
  try {
    await within('read history', timeoutMs, () => Promise.all([reader.joined, finished]));
  } finally {
    // The read has its entries either way; a consumer or group left behind is reported
    // (a leaked group is visible in Kafka's group list), not turned into a failed read.
    await reader.close().catch(report);
    await admin.client.deleteGroups(reader.groupIds).catch(report);
  }
  return { ok: true, entries };
}
