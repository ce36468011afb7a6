import {
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  asBusError,
  type Bus,
  type BusEntry,
  BusGuard,
  type BusListener,
  type BusStart,
  busUnavailable,
  type HistoryResult,
  SseError,
  toError,
} from '@sse/core';
import { checkOptions, type NatsBusOptions } from './options.js';
import { comparePositions, epochOf, formatPosition, parsePosition } from './position.js';
import { StreamFollower } from './stream-follower.js';

interface Started {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly listener: BusListener;
  readonly ownConnection: boolean;
  readonly follower: StreamFollower;
}

/** How long a stream must stay missing before the reader creates it again. */
const RECREATE_AFTER_MS = 1_000;

const NATS = 'NATS';
const unavailable = (action: string, error: unknown): SseError =>
  busUnavailable(NATS, action, error);

/**
 * Creates a NATS JetStream bus for one channel: a stream per channel (created, or checked
 * and updated, on start), read by every instance with an ordered consumer that starts right
 * after the stream's last sequence at start. Positions are `<stream epoch>:<sequence>`.
 *
 * @example
 * ```ts
 * import { createHub } from '@sse/core';
 * import { createNatsBus } from '@sse/bus-nats';
 *
 * const hub = createHub({ bus: createNatsBus({ nats: process.env.NATS_URL, channel: 'chat' }) });
 * await hub.ready();
 * ```
 * @throws SseError `SSE_INVALID_OPTION` for a bad channel or limit.
 */
export function createNatsBus(options: NatsBusOptions): Bus {
  checkOptions(options);
  const stream = `${options.streamPrefix ?? 'SSE_'}${options.channel}`;
  // The subject is derived from the stream name, so two streams can never claim one subject.
  const subject = `${options.subjectPrefix ?? 'sse'}.${stream}`;
  const timeout = options.publishTimeoutMs ?? 5_000;
  const guard = new BusGuard(NATS);
  let started: Started | undefined;

  /** The started bus. @throws SseError `SSE_BUS_CLOSED`, `SSE_BUS_UNAVAILABLE` before start. */
  const current = (action: string): Started => {
    guard.assertUsable(action);
    return started!;
  };

  const config = {
    name: stream,
    subjects: [subject],
    max_msgs: options.maxMessages ?? 100_000,
    max_bytes: options.maxBytes ?? 256 * 1024 * 1024,
    max_age: (options.maxAgeMs ?? 0) * 1_000_000,
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    num_replicas: options.replicas ?? 1,
  };
  const notFound = (error: unknown): boolean => /not found/i.test(toError(error).message);

  /** Creates the stream, or checks it exists with our subject and updates its limits. */
  async function ensureStream(jsm: JetStreamManager): Promise<StreamInfo> {
    try {
      const info = await jsm.streams.info(stream);
      if (!info.config.subjects?.includes(subject)) {
        throw new SseError(
          'SSE_INVALID_OPTION',
          `JetStream stream ${stream} exists but does not capture subject ${subject}; choose another streamPrefix or channel.`,
        );
      }
      // Storage cannot change on an existing stream; limits and replicas can.
      const { storage: _storage, name: _name, ...limits } = config;
      return await jsm.streams.update(stream, { ...limits, subjects: info.config.subjects });
    } catch (error) {
      if (error instanceof SseError) throw error;
      if (!notFound(error)) throw error;
      return jsm.streams.add(config);
    }
  }

  let missingSince: number | undefined;

  /**
   * The stream as it is now, for the reader after a stall: created again (same config) when
   * it stays missing, as after a restart of a server with memory storage or a deletion, so
   * that the bus keeps working; limits are left alone.
   */
  async function currentStream(jsm: JetStreamManager): Promise<StreamInfo> {
    try {
      const info = await jsm.streams.info(stream);
      missingSince = undefined;
      return info;
    } catch (error) {
      if (!notFound(error)) throw error;
      missingSince ??= Date.now();
      // nats-server 2.9 already answers "not found" while it is still removing a deleted
      // stream's files, and a stream created under the same name in that window loses its
      // message blocks (every publish then fails with "error opening msg block file"). So
      // the stream is created only once it has been missing for a while; a stream that
      // someone else creates meanwhile is simply followed.
      if (Date.now() - missingSince < RECREATE_AFTER_MS) {
        throw new Error(
          `JetStream stream ${stream} not found; it is created again if it stays missing`,
        );
      }
      const info = await jsm.streams.add(config);
      missingSince = undefined;
      return info;
    }
  }

  /**
   * Maps the connection's status events onto the bus states. `ready` comes from the reader
   * once its consumer runs again, not from the reconnect: a connection is no delivery.
   */
  function watchStatus(state: Started): void {
    void (async () => {
      for await (const status of state.nc.status()) {
        if (guard.isClosed) return;
        if (status.type === 'disconnect' || status.type === 'reconnecting') {
          state.listener.status('reconnecting', new Error(`NATS ${status.type}`));
        } else if (status.type === 'reconnect') {
          // The server may have restarted and lost the (ephemeral) consumer: start a fresh
          // one from the last delivered entry rather than wait for the library to notice.
          state.follower.restart(new Error('NATS reconnected'));
        }
      }
    })().catch((error: unknown) => {
      // Without this loop the bus would miss outages: say so through the bus state.
      if (!guard.isClosed) state.listener.status('reconnecting', toError(error));
    });
  }

  async function readAfter(position: string, limit: number): Promise<HistoryResult> {
    const parsed = parsePosition(position);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const state = current('read history');
    let info: StreamInfo;
    try {
      info = await state.jsm.streams.info(stream);
    } catch (error) {
      throw unavailable('read stream info', error);
    }
    // The epoch of the stream as it is now (the reader may not have seen a replacement yet).
    const epoch = epochOf(info.created);
    if (epoch !== parsed.epoch) return { ok: false, reason: 'epoch-mismatch' };
    const { first_seq: first, last_seq: last } = info.state;
    if (parsed.seq > last) return { ok: false, reason: 'unknown-position' };
    if (parsed.seq + 1 < first) return { ok: false, reason: 'trimmed' };
    const count = Math.min(limit, last - parsed.seq);
    if (count <= 0) return { ok: true, entries: [] };
    const entries: BusEntry[] = [];
    try {
      const consumer = await state.js.consumers.get(stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: parsed.seq + 1,
      });
      const batch = await consumer.fetch({ max_messages: count, expires: timeout });
      for await (const message of batch) {
        entries.push({ position: formatPosition(epoch, message.seq), payload: message.string() });
        if (entries.length >= count || message.seq >= last) break;
      }
    } catch (error) {
      throw unavailable('read history', error);
    }
    // Messages expired by age between the info and the read: the first one is not next.
    const firstRead = parsePosition(entries[0]?.position ?? '');
    if (firstRead && firstRead.seq !== parsed.seq + 1) return { ok: false, reason: 'trimmed' };
    return { ok: true, entries };
  }

  return {
    kind: 'nats-jetstream',
    retainsHistory: true,
    async start(listener): Promise<BusStart> {
      guard.beginStart();
      const given = typeof options.nats === 'object' ? options.nats : undefined;
      let nc: NatsConnection;
      try {
        nc =
          given ??
          (await connect({
            servers: (options.nats as string | undefined)?.split(',') ?? '127.0.0.1:4222',
            maxReconnectAttempts: -1,
            reconnectTimeWait: 250,
            timeout,
          }));
      } catch (error) {
        guard.startFailed();
        throw unavailable('connect', error);
      }
      try {
        const jsm = await jetstreamManager(nc, { timeout });
        const info = await ensureStream(jsm);
        const js = jetstream(nc, { timeout });
        // Reads from right after the last sequence that exists now: nothing appended after
        // start() resolves can be missed.
        const follower = new StreamFollower(
          {
            js,
            stream,
            listener,
            streamInfo: () => currentStream(jsm),
            connectionClosed: () => nc.isClosed(),
          },
          info,
        );
        started = { nc, js, jsm, listener, ownConnection: !given, follower };
        watchStatus(started);
        const position = await follower.start();
        guard.started();
        listener.status('ready');
        return { position };
      } catch (error) {
        guard.startFailed();
        started?.follower.stop();
        started = undefined;
        // Dropping a failure to close is right here: start() rejects with the error that
        // matters, and the connection is discarded either way.
        if (!given) await nc.close().catch(() => undefined);
        throw asBusError(NATS, 'set up the stream', error);
      }
    },
    async publish(payload) {
      const state = current('publish');
      try {
        const ack = await state.js.publish(subject, payload, { timeout });
        return await state.follower.positionOf(ack.seq);
      } catch (error) {
        if (guard.isClosed) throw guard.closedError('publish');
        throw unavailable('publish', error);
      }
    },
    readAfter,
    comparePositions,
    async close() {
      if (!guard.close()) return;
      const state = started;
      started = undefined;
      if (!state) return;
      state.follower.stop();
      // close() never rejects; a connection that failed to close is still reported.
      const failed = state.ownConnection
        ? await state.nc.close().then(() => undefined, toError)
        : undefined;
      state.listener.status('closed', failed);
    },
  };
}
