import {
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  asBusError,
  type Bus,
  type BusAppend,
  type BusEntry,
  BusGuard,
  type BusListener,
  type BusStart,
  busUnavailable,
  checkIdempotencyKey,
  type HistoryResult,
  idempotencyWindowOf,
  type SseError,
  toError,
} from '@sse/core';
import { checkOptions, type NatsBusOptions } from './options.js';
import { comparePositions, epochOf, formatPosition, parsePosition } from './position.js';
import { StreamFollower } from './stream-follower.js';
import { StreamSetup } from './stream-setup.js';

interface Started {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly listener: BusListener;
  readonly ownConnection: boolean;
  readonly follower: StreamFollower;
}

const NATS = 'NATS';
const unavailable = (action: string, error: unknown): SseError =>
  busUnavailable(NATS, action, error);

/**
 * Creates a NATS JetStream bus for one channel: a stream per channel (created, or checked
 * and updated, on start), read by every instance with an ordered consumer that starts right
 * after the stream's last sequence at start. Positions are `<stream epoch>:<sequence>`.
 * It deduplicates: a keyed publish carries its key as `Nats-Msg-Id`, and the stream's
 * `duplicate_window` is the hub's idempotency window.
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
  const setup = new StreamSetup(options);
  const { stream, subject } = setup;
  const timeout = options.publishTimeoutMs ?? 5_000;
  const guard = new BusGuard(NATS);
  let started: Started | undefined;

  /** The started bus. @throws SseError `SSE_BUS_CLOSED`, `SSE_BUS_UNAVAILABLE` before start. */
  const current = (action: string): Started => {
    guard.assertUsable(action);
    return started!;
  };

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

  /**
   * Publishes and waits for the acknowledgement. With a key it goes out as `Nats-Msg-Id`:
   * JetStream drops a repeat within the stream's duplicate window and acknowledges it with
   * `duplicate` and the first message's sequence.
   */
  async function append(payload: string, key?: string): Promise<BusAppend> {
    const state = current('publish');
    try {
      const ack = await state.js.publish(subject, payload, {
        timeout,
        ...(key === undefined ? {} : { msgID: key }),
      });
      return { position: await state.follower.positionOf(ack.seq), duplicate: ack.duplicate };
    } catch (error) {
      if (guard.isClosed) throw guard.closedError('publish');
      throw unavailable('publish', error);
    }
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
    deduplicates: true,
    async start(listener, startOptions): Promise<BusStart> {
      setup.useWindow(idempotencyWindowOf(startOptions));
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
        const info = await setup.ensure(jsm);
        const js = jetstream(nc, { timeout });
        // Reads from right after the last sequence that exists now: nothing appended after
        // start() resolves can be missed.
        const follower = new StreamFollower(
          {
            js,
            stream,
            listener,
            streamInfo: () => setup.current(jsm),
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
      return (await append(payload)).position;
    },
    publishOnce(payload, options) {
      return append(payload, checkIdempotencyKey(options?.key, 'key'));
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
