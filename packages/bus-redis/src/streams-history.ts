import type { BusEntry, HistoryResult } from '@sse/core';
import { withDeadline } from '@sse/core';
import type { BusConnections } from './connection.js';
import { unavailable } from './errors.js';
import type { ChannelKeys } from './keys.js';
import { positiveInteger } from './options.js';
import { compareStreamIds, decodeStreamPosition, encodePosition } from './position.js';
import type { ResolvedCommon } from './resolve.js';
import {
  entriesAfterAreGone,
  isNoSuchKey,
  parseStreamEntries,
  parseStreamInfo,
} from './stream-reply.js';

/**
 * Reads at most `limit` entries after `position` (the streams bus's `readAfter`): the
 * epoch, the stream's bounds and the entries in one transaction, so that they are one
 * snapshot, then an exclusive `XRANGE`.
 * @param conn - the bus's connections (history goes through the command connection).
 * @param keys - the channel's keys.
 * @param common - the resolved options (channel, `publishTimeoutMs`).
 * @param position - where the client is.
 * @param limit - most entries to return.
 * @throws SseError `SSE_BUS_UNAVAILABLE` when Redis does not answer within `publishTimeoutMs`.
 */
export async function readStreamHistory(
  conn: BusConnections,
  keys: ChannelKeys,
  common: ResolvedCommon,
  position: string,
  limit: number,
): Promise<HistoryResult> {
  const decoded = typeof position === 'string' ? decodeStreamPosition(position) : undefined;
  if (!decoded) return { ok: false, reason: 'malformed' };
  const count = positiveInteger('limit', limit, 1);
  let replies: [Error | null, unknown][] | null;
  try {
    // One transaction: the epoch, the stream's bounds and the entries are one snapshot.
    replies = await withDeadline(
      conn.command
        .multi()
        .get(keys.epoch)
        .xinfo('STREAM', keys.stream)
        .xrange(keys.stream, `(${decoded.id}`, '+', 'COUNT', count)
        .exec(),
      common.publishTimeoutMs,
      () => new Error(`timed out after ${common.publishTimeoutMs} ms`),
    );
  } catch (error) {
    throw unavailable(`read history of channel "${common.channel}"`, error);
  }
  if (replies?.length !== 3)
    throw unavailable('read history', new Error('the transaction was aborted'));
  const [[, epoch], [infoError, infoReply], [rangeError, rangeReply]] = replies as [
    [Error | null, unknown],
    [Error | null, unknown],
    [Error | null, unknown],
  ];
  if (epoch !== decoded.epoch) return { ok: false, reason: 'epoch-mismatch' };
  if (infoError) {
    // No stream yet in this epoch: only its origin is a known position.
    if (isNoSuchKey(infoError))
      return decoded.id === '0-0'
        ? { ok: true, entries: [] }
        : { ok: false, reason: 'unknown-position' };
    throw unavailable('read stream info', infoError);
  }
  if (rangeError) throw unavailable('read history', rangeError);
  const info = parseStreamInfo(infoReply);
  if (compareStreamIds(decoded.id, info.lastGeneratedId) > 0)
    return { ok: false, reason: 'unknown-position' };
  if (entriesAfterAreGone(info, decoded.id)) return { ok: false, reason: 'trimmed' };
  const entries: BusEntry[] = [];
  for (const raw of parseStreamEntries(rangeReply)) {
    if (raw.payload === undefined) continue; // foreign entry, reported by the live reader
    entries.push({
      position: encodePosition(raw.epoch ?? decoded.epoch, raw.id),
      payload: raw.payload,
    });
  }
  return { ok: true, entries };
}
