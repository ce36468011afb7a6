import { SseError } from '@sse/core';
import { compareStreamIds } from './position.js';

/** Whether Redis answered that the stream does not exist (yet). */
export const isNoSuchKey = (error: unknown): boolean =>
  error instanceof Error && /no such key/i.test(error.message);

/** The facts of `XINFO STREAM` the bus needs. */
export interface StreamInfo {
  readonly length: number;
  readonly lastGeneratedId: string;
  /** Redis ≥ 7: highest id removed by `XDEL` (`0-0` if none). */
  readonly maxDeletedId: string | undefined;
  /** Redis ≥ 7: how many entries were ever added. */
  readonly entriesAdded: number | undefined;
  /** Id of the oldest retained entry, if any. */
  readonly firstId: string | undefined;
}

// XINFO arrives as a flat [key, value, …] array (RESP2, or RESP3 with ioredis' default
// "legacy" mapping) or as an object (RESP3 with replyMapping "resp3"): accept both.
function toRecord(reply: unknown): Record<string, unknown> {
  if (Array.isArray(reply)) {
    const record: Record<string, unknown> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = reply[i + 1];
    return record;
  }
  if (typeof reply === 'object' && reply !== null) return reply as Record<string, unknown>;
  throw new SseError(
    'SSE_BUS_PROTOCOL',
    `XINFO STREAM returned ${JSON.stringify(reply)}, expected a map.`,
  );
}

const optionalNumber = (value: unknown): number | undefined =>
  value === undefined ? undefined : Number(value);

/** Parses an `XINFO STREAM` reply. */
export function parseStreamInfo(reply: unknown): StreamInfo {
  const info = toRecord(reply);
  const first = info['first-entry'];
  const firstId = Array.isArray(first) && first.length > 0 ? String(first[0]) : undefined;
  return {
    length: Number(info.length ?? 0),
    lastGeneratedId: String(info['last-generated-id'] ?? '0-0'),
    maxDeletedId:
      info['max-deleted-entry-id'] === undefined ? undefined : String(info['max-deleted-entry-id']),
    entriesAdded: optionalNumber(info['entries-added']),
    firstId,
  };
}

/**
 * Whether entries right after `id` are gone: removed by `XDEL` (max-deleted-entry-id), or
 * trimmed by retention (the stream lost entries and `id` is older than the oldest one kept).
 * Conservative: when unsure it says "trimmed", and the client gets a reset instead of a gap.
 */
export function entriesAfterAreGone(info: StreamInfo, id: string): boolean {
  if (info.maxDeletedId !== undefined && compareStreamIds(id, info.maxDeletedId) < 0) return true;
  const lostSome = info.entriesAdded === undefined || info.entriesAdded > info.length;
  if (!lostSome) return false;
  if (info.firstId === undefined) return compareStreamIds(id, info.lastGeneratedId) < 0;
  return compareStreamIds(id, info.firstId) < 0;
}

/** One raw stream entry: its id, its epoch field and its payload (undefined if missing). */
export interface RawStreamEntry {
  readonly id: string;
  readonly epoch: string | undefined;
  readonly payload: string | undefined;
}

/**
 * Parses `XRANGE` / one stream of `XREAD` (`[[id, [field, value, …]], …]`).
 * @throws SseError `SSE_BUS_PROTOCOL` when the reply is not a list of entries.
 */
export function parseStreamEntries(raw: unknown): RawStreamEntry[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) {
    throw new SseError('SSE_BUS_PROTOCOL', `Expected a list of stream entries, got ${typeof raw}.`);
  }
  return raw.map((item: unknown) => {
    if (!Array.isArray(item) || !Array.isArray(item[1])) {
      throw new SseError(
        'SSE_BUS_PROTOCOL',
        `A stream entry had an unexpected shape: ${JSON.stringify(item).slice(0, 80)}.`,
      );
    }
    const fields = item[1] as unknown[];
    let epoch: string | undefined;
    let payload: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] === 'e') epoch = String(fields[i + 1]);
      else if (fields[i] === 'p') payload = String(fields[i + 1]);
    }
    return { id: String(item[0]), epoch, payload };
  });
}
