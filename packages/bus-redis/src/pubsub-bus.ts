import type { Bus, BusAppend, BusListener, BusPublishOptions, BusStart } from '@sse/core';
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
import type { RedisPubSubBusOptions } from './options.js';
import {
  comparePositionsWith,
  compareSequences,
  decodePubSubPosition,
  encodePosition,
  newEpoch,
} from './position.js';
import { parseAppend, publishWithin } from './publish-reply.js';
import { type ResolvedCommon, resolveCommon } from './resolve.js';
import {
  type LuaScript,
  PUBSUB_HEAD,
  PUBSUB_PUBLISH,
  PUBSUB_PUBLISH_ONCE,
  runScript,
} from './scripts.js';

/**
 * Tracks the last delivered (epoch, sequence) and reports gaps: a sequence jump, an epoch
 * change (Redis lost its data), or a resubscribe after a disconnect.
 */
interface Tracker {
  epoch: string | undefined;
  sequence: number;
  /** After a resubscribe the next message sets a new baseline (the gap was already reported). */
  rebase: boolean;
}

/**
 * Redis pub/sub bus: lowest latency, nothing retained. A Lua script assigns each message an
 * `<epoch>:<sequence>` position and publishes it in one atomic step, so every member sees the
 * same order and positions. Entries missed while disconnected are reported with `gap()`.
 */
export function createPubSubBus(options: RedisPubSubBusOptions): Bus {
  const common: ResolvedCommon = resolveCommon(options);
  const keys = channelKeys(common.keyPrefix, common.channel);
  let connections: BusConnections | undefined;
  let watch: StatusWatch | undefined;
  let listener: BusListener | undefined;
  const guard = new BusGuard('Redis');
  const tracker: Tracker = { epoch: undefined, sequence: 0, rebase: true };
  /** Messages that arrive while the head is being read wait here (see `syncHead`). */
  let held: [string, string][] | undefined;
  /** How long a Redis idempotency key lives, from the hub at start. */
  let windowMs = idempotencyWindowOf(undefined);

  const gap = (reason: string, resumeAt?: string): void => listener?.gap(reason, resumeAt);

  const onMessage = (channel: string, message: string): void => {
    if (guard.isClosed || channel !== keys.pubsub || !listener) return;
    if (held) {
      held.push([channel, message]);
      return;
    }
    const space = message.indexOf(' ');
    const position = space > 0 ? message.slice(0, space) : '';
    const decoded = decodePubSubPosition(position);
    if (!decoded) {
      const error = new SseError(
        'SSE_BUS_PROTOCOL',
        `Redis channel "${keys.pubsub}" carried a message without a valid "<epoch>:<sequence> " header ` +
          `(got ${JSON.stringify(message.slice(0, 40))}). Is another program publishing to it?`,
      );
      gap(error.message);
      return;
    }
    const sequence = Number(decoded.id);
    if (!tracker.rebase && tracker.epoch !== undefined) {
      if (decoded.epoch !== tracker.epoch) {
        gap(
          `epoch changed from ${tracker.epoch} to ${decoded.epoch}: Redis lost its data (flush or restart)`,
        );
      } else if (sequence <= tracker.sequence) {
        return; // already delivered: never hand out an entry twice
      } else if (sequence !== tracker.sequence + 1) {
        gap(`sequence jumped from ${tracker.sequence} to ${sequence}`);
      }
    }
    tracker.epoch = decoded.epoch;
    tracker.sequence = sequence;
    tracker.rebase = false;
    listener.entry({ position, payload: message.slice(space + 1) });
  };

  /**
   * Reads the channel's epoch and sequence once subscribed and makes them the baseline: every
   * message published from then on is received, and those at or below it are dropped as
   * already accounted for. Messages that race the read are held and handed over after it,
   * so none slips between the baseline and the first delivery.
   * @param announce - runs once the baseline is known (or failed), before held messages.
   * @returns the baseline position.
   */
  async function syncHead(
    conn: BusConnections,
    announce: (position: string | undefined) => void = () => undefined,
  ): Promise<string> {
    held = [];
    let position: string | undefined;
    try {
      const reply = await withDeadline(
        runScript(conn.command, PUBSUB_HEAD, [keys.epoch, keys.sequence], [newEpoch()]),
        common.connectTimeoutMs,
        () => new Error('reading the channel head timed out'),
      );
      const [epoch, sequence] = Array.isArray(reply) ? reply.map(String) : [];
      const head = encodePosition(String(epoch), String(sequence));
      if (!decodePubSubPosition(head)) {
        throw new SseError(
          'SSE_BUS_PROTOCOL',
          `The head script returned ${JSON.stringify(reply)}, expected [epoch, sequence].`,
        );
      }
      tracker.epoch = epoch;
      tracker.sequence = Number(sequence);
      tracker.rebase = false;
      position = head;
      return head;
    } finally {
      if (position === undefined) tracker.rebase = true; // the next message starts a baseline
      if (!guard.isClosed) announce(position);
      const waiting = held;
      held = undefined;
      for (const [channel, message] of waiting) onMessage(channel, message);
    }
  }

  /**
   * Runs a publish script within `publishTimeoutMs`, once this member's own subscriber is
   * live: publishing while it is down would lose the entry for this member.
   * @param extraKeys - KEYS after the epoch and the sequence.
   * @param args - ARGV: the payload first; the epoch candidate and the channel are added.
   */
  function publishScript(
    conn: BusConnections,
    lua: LuaScript,
    extraKeys: readonly string[],
    [payload, ...rest]: readonly string[],
  ): Promise<unknown> {
    // One bound for both the wait and the script.
    return publishWithin(guard, common.channel, common.publishTimeoutMs, async () => {
      await watch?.whenReady(common.publishTimeoutMs);
      return runScript(
        conn.command,
        lua,
        [keys.epoch, keys.sequence, ...extraKeys],
        [newEpoch(), payload ?? '', keys.pubsub, ...rest],
      );
    });
  }

  async function subscribe(conn: BusConnections, resubscribe: boolean): Promise<void> {
    try {
      await conn.side.subscribe(keys.pubsub);
    } catch (error) {
      // The side connection retries on its own; its next 'ready' subscribes again.
      if (!guard.isClosed) listener?.status('reconnecting', toError(error));
      return;
    }
    if (guard.isClosed) return;
    if (resubscribe) {
      // The gap is reported before any message received since the resubscribe, with the
      // baseline as the position clients resume from, when it could be read.
      await syncHead(conn, (resumeAt) =>
        gap(
          'resubscribed after a disconnect: messages published meanwhile were not received',
          resumeAt,
        ),
      ).catch((error: unknown) => {
        if (!guard.isClosed) listener?.status('reconnecting', toError(error));
      });
      if (guard.isClosed) return;
    }
    watch?.setSideLive(true);
  }

  return {
    kind: 'redis-pubsub',
    retainsHistory: false,
    deduplicates: true,
    async start(target: BusListener, startOptions): Promise<BusStart> {
      windowMs = idempotencyWindowOf(startOptions);
      guard.beginStart();
      listener = target;
      const conn = openConnections(common.redis, common.clientOptions, common.defaultUrl);
      connections = conn;
      let started = false;
      conn.side.on('message', onMessage);
      watch = watchStatus(
        conn,
        (state, error) => listener?.status(state, error),
        () => {
          if (started) void subscribe(conn, true);
        },
      );
      let position: string;
      try {
        await connectBoth(conn, common.connectTimeoutMs, 'subscriber connection');
        await withDeadline(
          conn.side.subscribe(keys.pubsub),
          common.connectTimeoutMs,
          () => new Error('SUBSCRIBE timed out'),
        );
        position = await syncHead(conn);
      } catch (error) {
        await this.close();
        throw startFailure(error, `subscribe to "${keys.pubsub}"`);
      }
      started = true;
      guard.started();
      watch.setSideLive(true);
      return { position };
    },
    async publish(payload: string): Promise<string> {
      const conn = assertCanPublish(guard, payload, connections);
      const result = await publishScript(conn, PUBSUB_PUBLISH, [], [payload]);
      if (typeof result !== 'string' || !decodePubSubPosition(result)) {
        throw new SseError(
          'SSE_BUS_PROTOCOL',
          `The publish script returned ${JSON.stringify(result)}, expected "<epoch>:<sequence>".`,
        );
      }
      return result;
    },
    async publishOnce(payload: string, options: BusPublishOptions): Promise<BusAppend> {
      const conn = assertCanPublish(guard, payload, connections);
      const key = checkIdempotencyKey(options?.key, 'key');
      const reply = await publishScript(
        conn,
        PUBSUB_PUBLISH_ONCE,
        [keys.idempotency(key)],
        [payload, String(windowMs)],
      );
      return parseAppend(reply, (position) => decodePubSubPosition(position) !== undefined);
    },
    comparePositions(a: string, b: string): number | undefined {
      return comparePositionsWith(decodePubSubPosition, compareSequences, a, b);
    },
    async close(): Promise<void> {
      if (!guard.close()) return;
      watch?.stop();
      const conn = connections;
      if (!conn) return;
      conn.side.off('message', onMessage);
      await conn.close();
    },
  };
}
