import type { Bus, BusEntry, HistoryResult } from '@sse/core';
import { freshEpoch, withDeadline } from './clients.js';
import { channelKeys } from './keys.js';
import { BusLifecycle } from './lifecycle.js';
import { checkCommonOptions, type RedisStreamsBusOptions } from './options.js';
import { compareIds, comparePositions, parsePosition } from './position.js';
import { ENSURE_EPOCH, STREAM_APPEND } from './scripts.js';

type StreamEntry = [id: string, fields: string[]];

/** Reads `[e, epoch, p, payload]` field lists (in any order). */
function fieldsOf(fields: string[]): { epoch: string; payload: string } {
  let epoch = '';
  let payload = '';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'e') epoch = fields[i + 1]!;
    else if (fields[i] === 'p') payload = fields[i + 1]!;
  }
  return { epoch, payload };
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The streams-mode bus. See {@link createRedisBus}. */
export function createRedisStreamsBus(options: RedisStreamsBusOptions): Bus {
  checkCommonOptions(options);
  const keys = channelKeys(options.keyPrefix ?? 'sse:', options.channel);
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const blockMs = options.blockMs ?? 5_000;
  const readCount = options.readCount ?? 500;
  const maxLength = options.maxLength ?? 10_000;
  const lifecycle = new BusLifecycle(options);
  let tail: Promise<void> | undefined;

  const trim = (): [string, string] =>
    options.maxAgeMs !== undefined
      ? ['MINID', `${Date.now() - options.maxAgeMs}-0`]
      : ['MAXLEN', String(maxLength)];

  /** Tails the stream with blocking reads from `from`, forever, until closed. */
  async function follow(from: string, knownEpoch: string): Promise<void> {
    let lastId = from;
    let epoch = knownEpoch;
    let failures = 0;
    while (!lifecycle.closed) {
      let reply: [string, StreamEntry[]][] | null;
      try {
        const { subscriber } = lifecycle.current.clients;
        reply = (await subscriber.xread(
          'COUNT',
          readCount,
          'BLOCK',
          blockMs,
          'STREAMS',
          keys.stream,
          lastId,
        )) as [string, StreamEntry[]][] | null;
        failures = 0;
      } catch {
        if (lifecycle.closed) return;
        // The connection reconnects by itself; back off instead of spinning meanwhile.
        failures++;
        await sleep(Math.min(50 * 2 ** Math.min(failures, 5), 1000));
        continue;
      }
      const listener = lifecycle.closed ? undefined : lifecycle.current.listener;
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          if (!listener || lifecycle.closed) return;
          lastId = id;
          const entry = fieldsOf(fields);
          if (entry.epoch !== epoch) {
            // Redis lost the data we knew (flush, restart without persistence): whatever
            // was accepted and not yet read is gone. Say so instead of a silent gap.
            listener.gap?.(`redis data was lost: epoch ${epoch} became ${entry.epoch}`);
            epoch = entry.epoch;
          }
          listener.entry({ position: `${entry.epoch}:${id}`, payload: entry.payload });
        }
      }
    }
  }

  async function lastGeneratedId(): Promise<string> {
    const { commands } = lifecycle.current.clients;
    try {
      const info = (await commands.call('XINFO', 'STREAM', keys.stream)) as unknown[];
      const at = info.indexOf('last-generated-id');
      return at === -1 ? '0-0' : String(info[at + 1]);
    } catch (error) {
      if (/no such key/i.test((error as Error).message)) return '0-0';
      throw error;
    }
  }

  async function readAfter(position: string, limit: number): Promise<HistoryResult> {
    const parsed = parsePosition(position);
    if (!parsed || !STREAM_ID.test(parsed.id)) return { ok: false, reason: 'malformed' };
    const { commands } = lifecycle.current.clients;
    return withDeadline('a history read', publishTimeoutMs, async () => {
      const epoch = await commands.get(keys.epoch);
      if (epoch !== parsed.epoch) return { ok: false, reason: 'epoch-mismatch' } as const;
      // The range starts at the position itself: if it is still there, nothing after it
      // was trimmed (trimming only removes from the head).
      const range = (await commands.xrange(
        keys.stream,
        parsed.id,
        '+',
        'COUNT',
        limit + 1,
      )) as StreamEntry[];
      if (range[0]?.[0] !== parsed.id) {
        const first = (await commands.xrange(keys.stream, '-', '+', 'COUNT', 1)) as StreamEntry[];
        const last = await lastGeneratedId();
        const older = first[0]
          ? compareIds(parsed.id, first[0][0]) < 0
          : compareIds(parsed.id, last) <= 0;
        return { ok: false, reason: older ? 'trimmed' : 'unknown-position' } as const;
      }
      const entries: BusEntry[] = [];
      for (const [id, fields] of range.slice(1, limit + 1)) {
        const entry = fieldsOf(fields);
        entries.push({ position: `${entry.epoch}:${id}`, payload: entry.payload });
      }
      return { ok: true, entries } as const;
    });
  }

  return {
    kind: 'redis-streams',
    retainsHistory: true,
    async start(listener) {
      await lifecycle.start(listener);
      const { commands } = lifecycle.current.clients;
      const [epoch, from] = await withDeadline('start', publishTimeoutMs, async () => [
        String(await commands.eval(ENSURE_EPOCH, 1, keys.epoch, freshEpoch())),
        await lastGeneratedId(),
      ]);
      // Reading from the last ID that existed when start() resolves: nothing appended
      // after that can be missed.
      tail = follow(from, epoch);
    },
    async publish(payload) {
      const { commands } = lifecycle.current.clients;
      const [strategy, threshold] = trim();
      const [epoch, id] = (await withDeadline('a publish', publishTimeoutMs, () =>
        commands.eval(
          STREAM_APPEND,
          2,
          keys.stream,
          keys.epoch,
          payload,
          freshEpoch(),
          strategy,
          threshold,
        ),
      )) as [string, string];
      return `${epoch}:${id}`;
    },
    readAfter,
    comparePositions,
    async close() {
      lifecycle.close();
      await tail;
    },
  };
}
