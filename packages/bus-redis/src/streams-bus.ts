import type {
  Bus,
  BusAppend,
  BusListener,
  BusPublishOptions,
  BusStart,
  HistoryResult,
} from '@sse/core';
import {
  BusGuard,
  checkIdempotencyKey,
  idempotencyWindowOf,
  SseError,
  toError,
  withDeadline,
} from '@sse/core';
import { assertCanPublish, connectBoth, startFailure } from './bus-guards.js';
import {
  type BusConnections,
  openConnections,
  type StatusWatch,
  watchStatus,
} from './connection.js';
import { channelKeys } from './keys.js';
import {
  checkRetention,
  positiveInteger,
  REDIS_BUS_DEFAULTS,
  type RedisStreamsBusOptions,
} from './options.js';
import {
  comparePositionsWith,
  compareStreamIds,
  decodeStreamPosition,
  encodePosition,
  newEpoch,
} from './position.js';
import { parseAppend, publishWithin } from './publish-reply.js';
import { type ResolvedCommon, resolveCommon } from './resolve.js';
import { runScript, STREAMS_PUBLISH, STREAMS_PUBLISH_ONCE } from './scripts.js';
import {
  entriesAfterAreGone,
  isNoSuchKey,
  parseStreamEntries,
  parseStreamInfo,
  type RawStreamEntry,
} from './stream-reply.js';
import { readStreamHistory } from './streams-history.js';

/**
 * Redis Streams bus: durable and replayable. `XADD` under a retention bound; every member
 * tails the stream with a blocking `XREAD` on its own connection, from the last id it
 * delivered, so a dropped connection resumes with no loss and no duplicate. Positions are
 * `<epoch>:<stream id>`; `readAfter` reads history with an exclusive `XRANGE`. A keyed
 * publish checks and sets its idempotency key in the same Lua script as the `XADD`.
 */
export function createStreamsBus(options: RedisStreamsBusOptions): Bus {
  const common: ResolvedCommon = resolveCommon(options);
  const retention = checkRetention(options.retention);
  const readBatch = positiveInteger('readBatch', options.readBatch, REDIS_BUS_DEFAULTS.readBatch);
  const blockMs = positiveInteger('blockMs', options.blockMs, REDIS_BUS_DEFAULTS.blockMs);
  const keys = channelKeys(common.keyPrefix, common.channel);
  const trim =
    'maxLen' in retention
      ? ['MAXLEN', String(retention.maxLen)]
      : ['MINID', String(retention.maxAgeMs)];
  let connections: BusConnections | undefined;
  let watch: StatusWatch | undefined;
  let listener: BusListener | undefined;
  const guard = new BusGuard('Redis');
  let lastId = '0-0';
  let lastEpoch: string | undefined;
  let reading: Promise<void> | undefined;
  let reconnected = false;
  /** How long a Redis idempotency key lives, from the hub at start. */
  let windowMs = idempotencyWindowOf(undefined);

  function deliver(raw: readonly RawStreamEntry[]): void {
    for (const entry of raw) {
      if (guard.isClosed) return;
      // Advance first: a malformed entry is skipped (and reported), never re-read forever.
      lastId = entry.id;
      if (entry.payload === undefined || entry.epoch === undefined) {
        listener?.gap(
          `stream entry ${entry.id} has no "e"/"p" fields and was skipped; is another program writing to ${keys.stream}?`,
        );
        continue;
      }
      if (lastEpoch !== undefined && entry.epoch !== lastEpoch) {
        listener?.gap(
          `epoch changed from ${lastEpoch} to ${entry.epoch}: Redis lost its data (flush or restart)`,
        );
      }
      lastEpoch = entry.epoch;
      listener?.entry({ position: encodePosition(entry.epoch, entry.id), payload: entry.payload });
    }
  }

  // If retention trimmed entries after the last one this member delivered, say so.
  async function checkTrimmedWhileAway(conn: BusConnections): Promise<void> {
    try {
      const info = parseStreamInfo(await conn.side.xinfo('STREAM', keys.stream));
      if (lastId !== '0-0' && entriesAfterAreGone(info, lastId)) {
        listener?.gap(
          `entries after ${lastId} were trimmed by retention before this member read them`,
        );
      }
    } catch (error) {
      if (!isNoSuchKey(error)) throw error;
    }
  }

  async function readLoop(conn: BusConnections): Promise<void> {
    let failures = 0;
    while (!guard.isClosed) {
      try {
        const reply = await conn.side.xread(
          'COUNT',
          readBatch,
          'BLOCK',
          blockMs,
          'STREAMS',
          keys.stream,
          lastId,
        );
        if (failures > 0 || !watch?.ready) {
          failures = 0;
          watch?.setSideLive(true);
        }
        if (!reply || guard.isClosed) continue;
        for (const stream of reply as unknown[]) {
          if (!Array.isArray(stream) || stream[0] !== keys.stream) continue;
          const batch = parseStreamEntries(stream[1]);
          // Retention may have trimmed entries this member never read: after a reconnect
          // (ioredis re-sends the blocked XREAD, so this is the first moment to look) or when
          // a full batch says this member lags behind. Checked before delivering the batch.
          if (reconnected || batch.length >= readBatch) {
            reconnected = false;
            await checkTrimmedWhileAway(conn);
          }
          deliver(batch);
        }
      } catch (error) {
        if (guard.isClosed) return;
        failures++;
        reconnected = true;
        watch?.setSideLive(false);
        listener?.status('reconnecting', toError(error));
        // Queued commands wait for the reconnect; this pause only bounds a loop on hard errors.
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * failures, 1000)));
      }
    }
  }

  /** The channel's epoch (created if missing) and the stream's last id, in one transaction. */
  async function readHead(conn: BusConnections): Promise<{ epoch: string; lastId: string }> {
    const replies = await conn.command
      .multi()
      .set(keys.epoch, newEpoch(), 'NX')
      .get(keys.epoch)
      .xinfo('STREAM', keys.stream)
      .exec();
    const [, [epochError, epoch], [infoError, infoReply]] = (replies ?? []) as [
      unknown,
      [Error | null, unknown],
      [Error | null, unknown],
    ];
    if (epochError || typeof epoch !== 'string') {
      throw epochError ?? new Error(`GET ${keys.epoch} returned ${String(epoch)}`);
    }
    if (infoError && !isNoSuchKey(infoError)) throw infoError;
    return { epoch, lastId: infoError ? '0-0' : parseStreamInfo(infoReply).lastGeneratedId };
  }

  return {
    kind: 'redis-streams',
    retainsHistory: true,
    deduplicates: true,
    async start(target: BusListener, startOptions): Promise<BusStart> {
      windowMs = idempotencyWindowOf(startOptions);
      guard.beginStart();
      listener = target;
      const conn = openConnections(common.redis, common.clientOptions, common.defaultUrl);
      connections = conn;
      // A blocked XREAD is re-sent by ioredis on reconnect, so the reader is live once ready.
      watch = watchStatus(
        conn,
        (state, error) => listener?.status(state, error),
        () => {
          reconnected = lastId !== '0-0';
          watch?.setSideLive(true);
        },
      );
      let epoch: string;
      try {
        await connectBoth(conn, common.connectTimeoutMs, 'reader connection');
        // Capture "$" now: the first XREAD (issued later) starts exactly here, so nothing
        // published after start() resolves can fall between the two. The epoch is created
        // if missing, so even an empty stream has a position a client can resume from.
        const head = await withDeadline(
          readHead(conn),
          common.connectTimeoutMs,
          () => new Error('reading the stream head timed out'),
        );
        epoch = head.epoch;
        lastId = head.lastId;
        lastEpoch = epoch;
      } catch (error) {
        await this.close();
        throw startFailure(error, `read stream "${keys.stream}"`);
      }
      guard.started();
      watch.setSideLive(true);
      reading = readLoop(conn);
      return { position: encodePosition(epoch, lastId) };
    },
    async publish(payload: string): Promise<string> {
      const conn = assertCanPublish(guard, payload, connections);
      const result = await publishWithin(guard, common.channel, common.publishTimeoutMs, () =>
        runScript(
          conn.command,
          STREAMS_PUBLISH,
          [keys.epoch, keys.stream],
          [newEpoch(), payload, ...trim],
        ),
      );
      const [epoch, id] = Array.isArray(result) ? result.map(String) : [];
      const position = epoch !== undefined && id !== undefined ? encodePosition(epoch, id) : '';
      if (!decodeStreamPosition(position)) {
        throw new SseError(
          'SSE_BUS_PROTOCOL',
          `The publish script returned ${JSON.stringify(result)}, expected [epoch, id].`,
        );
      }
      return position;
    },
    async publishOnce(payload: string, options: BusPublishOptions): Promise<BusAppend> {
      const conn = assertCanPublish(guard, payload, connections);
      const key = checkIdempotencyKey(options?.key, 'key');
      const reply = await publishWithin(guard, common.channel, common.publishTimeoutMs, () =>
        runScript(
          conn.command,
          STREAMS_PUBLISH_ONCE,
          [keys.epoch, keys.stream, keys.idempotency(key)],
          [newEpoch(), payload, ...trim, String(windowMs)],
        ),
      );
      return parseAppend(reply, (position) => decodeStreamPosition(position) !== undefined);
    },
    async readAfter(position: string, limit: number): Promise<HistoryResult> {
      guard.assertUsable('read history');
      return readStreamHistory(connections!, keys, common, position, limit);
    },
    comparePositions(a: string, b: string): number | undefined {
      return comparePositionsWith(decodeStreamPosition, compareStreamIds, a, b);
    },
    async close(): Promise<void> {
      if (!guard.close()) return;
      watch?.stop();
      await connections?.close();
      await reading;
    },
  };
}
