import {
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type StreamInfo,
} from '@nats-io/jetstream';
import { type BusListener, toError } from '@sse/core';
import { CONSUME, discard, RETRY_MS, stallOf, warn } from './consumer-signals.js';
import { epochOf, formatPosition } from './position.js';

/** What a {@link StreamFollower} needs from the bus that owns it. */
export interface FollowerContext {
  readonly js: JetStreamClient;
  /** The stream's name. */
  readonly stream: string;
  readonly listener: BusListener;
  /** Reads the stream's info, creating the stream when it is missing. */
  readonly streamInfo: () => Promise<StreamInfo>;
  /** Whether the NATS connection was closed for good (a user's own, closed by its owner). */
  readonly connectionClosed: () => boolean;
}

/**
 * Reads one stream for one bus: delivers every entry once, in order, with `<epoch>:<seq>`
 * positions, and keeps doing so across server restarts, stalls and a stream that was
 * deleted and created again.
 *
 * Why it supervises the ordered consumer instead of trusting its own recovery
 * (`@nats-io/jetstream` 3.3.1, `PullConsumerMessagesImpl`): after a server restart the
 * ordered consumer is gone; on reconnect the library notices (`consumer_not_found`) and
 * recreates it from its cursor, but `reset()` does not clear the counters of the pull
 * requests that died with the old server. Its first pull then asks for
 * `max_messages - pending` messages, a handful when the old requests were nearly unfilled,
 * and since `pending` never drops under the refill threshold it never pulls again. The
 * server holds no open request, so it sends no heartbeats either, and only the idle-heartbeat
 * monitor (two missed 15 s heartbeats by default) resets the counters, 30–45 s later, when the
 * backlog arrives at once. The same happens after any reset of the ordered consumer (a
 * sequence gap, a deleted consumer), and after a stream is deleted the library recreates the
 * consumer from the old cursor on the new stream, skipping its first entries silently.
 *
 * So any sign that the consumer stopped (a reconnect, a recreated, deleted or missing
 * consumer, missed heartbeats, the end of its iterator) abandons it and starts a fresh one
 * right after the last delivered sequence, after re-reading the stream: a new creation time
 * means a new epoch, reported with `listener.gap()` and followed from the new stream's start.
 * While it is not delivering, the bus reports `reconnecting`.
 */
export class StreamFollower {
  /** Epoch of the stream being read: its creation time. */
  private epoch: string;
  /** Last stream sequence delivered to the listener. */
  private lastSeq: number;
  /**
   * Highest sequence acknowledged to a publish of this instance in this epoch (at first, the
   * stream's last at start). Deliveries do not count: another instance's later entry may be
   * delivered before this instance's acknowledgement arrives, which is no sign of a new stream.
   */
  private highest: number;
  /** Bumped whenever the consumer is abandoned: events of older consumers are ignored. */
  private generation = 0;
  private current: { consumer: Consumer; messages: ConsumerMessages } | undefined;
  private recovering: Promise<void> | undefined;
  private again: Error | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  /** @param info - the stream as it was at `start()`: reading begins right after its last entry. */
  constructor(
    private readonly ctx: FollowerContext,
    info: StreamInfo,
  ) {
    this.epoch = epochOf(info.created);
    this.lastSeq = info.state.last_seq;
    this.highest = this.lastSeq;
  }

  /**
   * Creates the first consumer.
   * @returns the position it reads after: the stream's last entry at `start()` (sequence 0
   *   is the origin of an empty stream).
   * @throws what JetStream threw (the bus maps it).
   */
  async start(): Promise<string> {
    const origin = formatPosition(this.epoch, this.lastSeq);
    await this.follow();
    return origin;
  }

  /**
   * The position of an entry a publish appended at `seq`. An acknowledgement carries no
   * epoch, so a sequence not above every one acknowledged before in this epoch (the stream
   * was replaced and counts from 1 again), or any sequence while the consumer is being
   * recovered, makes it read the epoch again rather than trust the one it has.
   */
  async positionOf(seq: number): Promise<string> {
    if (seq > this.highest && !this.recovering) {
      this.highest = seq;
      return formatPosition(this.epoch, seq);
    }
    const epoch = epochOf((await this.ctx.streamInfo()).created);
    // A restart under way reads the stream again anyway.
    if (epoch !== this.epoch && !this.recovering)
      this.restart(new Error('the stream was replaced'));
    else this.highest = Math.max(this.highest, seq);
    return formatPosition(epoch, seq);
  }

  /**
   * Abandons the consumer and starts a fresh one after the last delivered entry (or at the
   * start of a new stream), reporting `reconnecting` until it runs. Calls that arrive while a
   * restart is under way run it once more afterwards.
   */
  restart(why: Error): void {
    if (this.stopped) return;
    if (this.recovering) {
      this.again = why;
      return;
    }
    this.recovering = (async () => {
      for (let reason: Error | undefined = why; reason && !this.stopped; reason = this.again) {
        this.again = undefined;
        await this.recover(reason);
      }
    })()
      .catch(warn)
      .finally(() => {
        this.recovering = undefined;
      });
  }

  /** Stops reading for good. */
  stop(): void {
    this.stopped = true;
    this.abandon();
    this.wake?.();
  }

  private async recover(why: Error): Promise<void> {
    this.ctx.listener.status('reconnecting', why);
    this.abandon();
    for (let attempt = 0; !this.stopped; attempt++) {
      await this.pause(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
      if (this.stopped) return;
      if (this.ctx.connectionClosed()) {
        // Retrying cannot help; say so instead of reporting `reconnecting` forever.
        this.ctx.listener.status(
          'closed',
          new Error(
            'The NATS connection was closed by its owner: close this bus and create a new one.',
          ),
        );
        return;
      }
      try {
        const info = await this.ctx.streamInfo();
        // Nothing reaches the listener once the bus is closed, not even a gap.
        if (this.stopped) return;
        this.resync(info);
        await this.follow();
        if (!this.stopped) this.ctx.listener.status('ready');
        return;
      } catch (error) {
        if (!this.stopped) this.ctx.listener.status('reconnecting', toError(error));
      }
    }
  }

  /** Compares the stream with what was delivered: a new epoch or lost entries are gaps. */
  private resync(info: StreamInfo): void {
    const epoch = epochOf(info.created);
    const { first_seq: first, last_seq: last } = info.state;
    if (epoch !== this.epoch) {
      const old = this.epoch;
      this.epoch = epoch;
      // A new stream: read it from its first entry (an empty stream reports first_seq 0).
      this.lastSeq = Math.max(0, first - 1);
      this.highest = this.lastSeq;
      this.ctx.listener.gap(
        `stream ${this.ctx.stream} was deleted and created again (epoch ${old} → ${epoch}); following the new stream from its start`,
        formatPosition(epoch, this.lastSeq),
      );
    } else if (last < this.lastSeq) {
      // Same stream, fewer entries: the server lost acknowledged data (a crash without
      // fsync, a restore from backup). Continue after what it has.
      this.lastSeq = last;
      this.highest = last;
      this.ctx.listener.gap(
        `stream ${this.ctx.stream} holds entries up to ${last} but more were delivered: the server lost entries`,
        formatPosition(epoch, last),
      );
    }
  }

  /** Creates an ordered consumer right after the last delivered sequence and reads it. */
  private async follow(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const consumer = await this.ctx.js.consumers.get(this.ctx.stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.lastSeq + 1,
    });
    const messages = await consumer.consume(CONSUME);
    // Abandoned (or stopped) while it was being created.
    if (generation !== this.generation) {
      messages.stop();
      discard(consumer);
      return;
    }
    this.current = { consumer, messages };
    void this.watch(generation, messages).catch(warn);
    void this.deliver(generation, messages).catch(warn);
  }

  private async deliver(generation: number, messages: ConsumerMessages): Promise<void> {
    let end: Error;
    try {
      for await (const message of messages) {
        if (generation !== this.generation) return;
        this.onMessage(message.seq, message.string());
      }
      end = new Error('the consumer stopped');
    } catch (error) {
      end = toError(error);
    }
    if (generation === this.generation) this.restart(end);
  }

  private async watch(generation: number, messages: ConsumerMessages): Promise<void> {
    for await (const note of messages.status()) {
      if (generation !== this.generation) return;
      const stall = stallOf(note);
      if (stall) {
        this.restart(stall);
        return;
      }
    }
  }

  private onMessage(seq: number, payload: string): void {
    // The ordered consumer never repeats a sequence; a consumer restarted from the cursor
    // could only if a message of the abandoned one slipped through, so keep it exact.
    if (seq <= this.lastSeq) return;
    if (seq > this.lastSeq + 1) {
      this.ctx.listener.gap(
        `entries ${formatPosition(this.epoch, this.lastSeq + 1)} to ${formatPosition(this.epoch, seq - 1)} left stream ${this.ctx.stream} (retention, purge or delete) before this instance read them`,
        formatPosition(this.epoch, seq - 1),
      );
    }
    this.lastSeq = seq;
    this.ctx.listener.entry({ position: formatPosition(this.epoch, seq), payload });
  }

  /** Stops the current consumer; its late messages and notifications are ignored. */
  private abandon(): void {
    this.generation++;
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    current.messages.stop();
    discard(current.consumer);
  }

  /** Waits `ms`, or less when the follower is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    if (ms === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
