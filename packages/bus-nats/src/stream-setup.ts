import { type JetStreamManager, StorageType, type StreamInfo } from '@nats-io/jetstream';
import { SseError, toError } from '@sse/core';
import type { NatsBusOptions } from './options.js';

/** How long a stream must stay missing before the reader creates it again. */
const RECREATE_AFTER_MS = 1_000;

const MS = 1_000_000; // JetStream durations are nanoseconds.

const notFound = (error: unknown): boolean => /not found/i.test(toError(error).message);

/**
 * The JetStream stream of one channel: its name, its subject and its configuration, created
 * or updated on start and created again by the reader when it goes missing.
 */
export class StreamSetup {
  /** `<streamPrefix><channel>`. */
  readonly stream: string;
  /** Derived from the stream name, so two streams can never claim one subject. */
  readonly subject: string;
  private config: {
    name: string;
    subjects: string[];
    max_msgs: number;
    max_bytes: number;
    max_age: number;
    storage: StorageType;
    num_replicas: number;
    duplicate_window?: number;
  };
  private missingSince: number | undefined;

  /** @param options - the bus's options (checked): names, retention, storage, replicas. */
  constructor(options: NatsBusOptions) {
    this.stream = `${options.streamPrefix ?? 'SSE_'}${options.channel}`;
    this.subject = `${options.subjectPrefix ?? 'sse'}.${this.stream}`;
    this.config = {
      name: this.stream,
      subjects: [this.subject],
      max_msgs: options.maxMessages ?? 100_000,
      max_bytes: options.maxBytes ?? 256 * 1024 * 1024,
      max_age: (options.maxAgeMs ?? 0) * MS,
      storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: options.replicas ?? 1,
    };
  }

  /**
   * Sets the stream's duplicate window (`duplicate_window`): how long JetStream remembers a
   * `Nats-Msg-Id`, the hub's idempotency window. Applied by the next {@link ensure}.
   * @throws SseError `SSE_INVALID_OPTION` when it is longer than `maxAgeMs`: JetStream refuses
   *   to remember an id for longer than it keeps messages.
   */
  useWindow(windowMs: number): void {
    const window = windowMs * MS;
    if (this.config.max_age > 0 && window > this.config.max_age) {
      throw new SseError(
        'SSE_INVALID_OPTION',
        `The idempotency window (${windowMs} ms) is longer than maxAgeMs (${this.config.max_age / MS} ms) of stream ${this.stream}: JetStream cannot remember a message id longer than it keeps messages. Lower the hub's idempotency.windowMs or raise maxAgeMs.`,
      );
    }
    this.config = { ...this.config, duplicate_window: window };
  }

  /** Creates the stream, or checks it exists with our subject and updates its limits. */
  async ensure(jsm: JetStreamManager): Promise<StreamInfo> {
    try {
      const info = await jsm.streams.info(this.stream);
      if (!info.config.subjects?.includes(this.subject)) {
        throw new SseError(
          'SSE_INVALID_OPTION',
          `JetStream stream ${this.stream} exists but does not capture subject ${this.subject}; choose another streamPrefix or channel.`,
        );
      }
      // Storage cannot change on an existing stream; limits, replicas and the window can.
      const { storage: _storage, name: _name, ...limits } = this.config;
      return await jsm.streams.update(this.stream, { ...limits, subjects: info.config.subjects });
    } catch (error) {
      if (error instanceof SseError) throw error;
      if (!notFound(error)) throw error;
      return jsm.streams.add(this.config);
    }
  }

  /**
   * The stream as it is now, for the reader after a stall: created again (same config) when
   * it stays missing, as after a restart of a server with memory storage or a deletion, so
   * that the bus keeps working; limits are left alone.
   */
  async current(jsm: JetStreamManager): Promise<StreamInfo> {
    try {
      const info = await jsm.streams.info(this.stream);
      this.missingSince = undefined;
      return info;
    } catch (error) {
      if (!notFound(error)) throw error;
      this.missingSince ??= Date.now();
      // nats-server 2.9 already answers "not found" while it is still removing a deleted
      // stream's files, and a stream created under the same name in that window loses its
      // message blocks (every publish then fails with "error opening msg block file"). So
      // the stream is created only once it has been missing for a while; a stream that
      // someone else creates meanwhile is simply followed.
      if (Date.now() - this.missingSince < RECREATE_AFTER_MS) {
        throw new Error(
          `JetStream stream ${this.stream} not found; it is created again if it stays missing`,
        );
      }
      const info = await jsm.streams.add(this.config);
      this.missingSince = undefined;
      return info;
    }
  }
}
