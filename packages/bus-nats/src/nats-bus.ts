import {
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type Bus, type BusEntry, type BusListener, type HistoryResult, SseError } from '@sse/core';
import { checkOptions, type NatsBusOptions } from './options.js';
import { comparePositions, epochOf, parsePosition } from './position.js';

interface Started {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly listener: BusListener;
  readonly ownConnection: boolean;
  messages: ConsumerMessages | undefined;
}

const unavailable = (what: string, error: unknown): SseError =>
  new SseError(
    'SSE_BUS_UNAVAILABLE',
    `NATS failed ${what}: ${(error as Error)?.message ?? String(error)}`,
    {
      cause: error,
    },
  );

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
  let started: Started | undefined;
  let starting = false;
  let closed = false;
  let epoch = '';

  const current = (): Started => {
    if (closed)
      throw new SseError(
        'SSE_BUS_CLOSED',
        `The NATS bus for channel "${options.channel}" was closed.`,
      );
    if (!started)
      throw new SseError(
        'SSE_BUS_UNAVAILABLE',
        'The NATS bus was not started: call start() (the hub does) first.',
      );
    return started;
  };

  /** Creates the stream, or checks it exists with our subject and updates its limits. */
  async function ensureStream(jsm: JetStreamManager): Promise<StreamInfo> {
    const config = {
      name: stream,
      subjects: [subject],
      max_msgs: options.maxMessages ?? 100_000,
      max_bytes: options.maxBytes ?? 256 * 1024 * 1024,
      max_age: (options.maxAgeMs ?? 0) * 1_000_000,
      storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: options.replicas ?? 1,
    };
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
      if (!/not found/i.test((error as Error).message)) throw error;
      return jsm.streams.add(config);
    }
  }

  /** Delivers every message from `startSeq` on, forever; the ordered consumer heals gaps itself. */
  async function follow(state: Started, startSeq: number): Promise<void> {
    const consumer = await state.js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
    });
    // A deep pull window: the consumer asks for more long before it runs dry, so a burst
    // never waits for a pull round trip.
    const messages = await consumer.consume({ max_messages: 1000 });
    state.messages = messages;
    void (async () => {
      for await (const message of messages) {
        if (closed) break;
        state.listener.entry({ position: `${epoch}:${message.seq}`, payload: message.string() });
      }
    })().catch(() => undefined);
  }

  /** Maps the connection's status events onto the bus states. */
  function watchStatus(state: Started): void {
    void (async () => {
      for await (const status of state.nc.status()) {
        if (closed) return;
        if (status.type === 'disconnect' || status.type === 'reconnecting') {
          state.listener.status?.('reconnecting', new Error(`NATS ${status.type}`));
        } else if (status.type === 'reconnect') state.listener.status?.('ready');
      }
    })().catch(() => undefined);
  }

  async function readAfter(position: string, limit: number): Promise<HistoryResult> {
    const parsed = parsePosition(position);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const state = current();
    let info: StreamInfo;
    try {
      info = await state.jsm.streams.info(stream);
    } catch (error) {
      throw unavailable('to read stream info', error);
    }
    if (epochOf(info.created) !== parsed.epoch) return { ok: false, reason: 'epoch-mismatch' };
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
        entries.push({ position: `${epoch}:${message.seq}`, payload: message.string() });
        if (entries.length >= count || message.seq >= last) break;
      }
    } catch (error) {
      throw unavailable('a history read', error);
    }
    // Messages expired by age between the info and the read: the first one is not next.
    const firstRead = parsePosition(entries[0]?.position ?? '');
    if (firstRead && firstRead.seq !== parsed.seq + 1) return { ok: false, reason: 'trimmed' };
    return { ok: true, entries };
  }

  return {
    kind: 'nats-jetstream',
    retainsHistory: true,
    async start(listener) {
      if (closed)
        throw new SseError('SSE_BUS_CLOSED', 'This NATS bus was closed; create a new one.');
      if (starting) throw new SseError('SSE_INVALID_OPTION', 'Bus.start() was already called.');
      starting = true;
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
        starting = false;
        throw unavailable('to connect', error);
      }
      try {
        const jsm = await jetstreamManager(nc, { timeout });
        const info = await ensureStream(jsm);
        epoch = epochOf(info.created);
        started = {
          nc,
          js: jetstream(nc, { timeout }),
          jsm,
          listener,
          ownConnection: !given,
          messages: undefined,
        };
        watchStatus(started);
        // Start right after the last sequence that exists now: nothing appended after
        // start() resolves can be missed.
        await follow(started, info.state.last_seq + 1);
        listener.status?.('ready');
        // Sequence 0 is the origin of an empty stream.
        return { position: `${epoch}:${info.state.last_seq}` };
      } catch (error) {
        starting = false;
        started = undefined;
        if (!given) await nc.close().catch(() => undefined);
        throw error instanceof SseError ? error : unavailable('to set up the stream', error);
      }
    },
    async publish(payload) {
      const state = current();
      try {
        const ack = await state.js.publish(subject, payload, { timeout });
        return `${epoch}:${ack.seq}`;
      } catch (error) {
        if (closed)
          throw new SseError('SSE_BUS_CLOSED', 'Cannot publish: the NATS bus was closed.');
        throw unavailable('a publish', error);
      }
    },
    readAfter,
    comparePositions,
    async close() {
      if (closed) return;
      closed = true;
      const state = started;
      started = undefined;
      if (!state) return;
      state.messages?.stop();
      if (state.ownConnection) await state.nc.close().catch(() => undefined);
      state.listener.status?.('closed');
    },
  };
}
