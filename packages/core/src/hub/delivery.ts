import { BroadcastRun } from './broadcast-run.js';
import type { Connection } from './connection.js';
import type { Registry } from './registry.js';

/** When the hub's flush runs. */
export interface FlushOptions {
  /** Hold frames up to this many ms (one hub-wide timer); 0: flush once per event-loop turn. */
  readonly flushWindowMs: number;
  /** A socket with this many bytes waiting is flushed at once, window or not. */
  readonly flushBytes: number;
}

/**
 * The write path. Frames are staged on connections as they arrive and leave at the hub's
 * one flush: once per event-loop turn (or per flush window), so frames that reach a socket
 * in one turn leave in one write, and no timer exists per connection.
 *
 * Frames meant for several connections (live entries) are kept once per flush period in
 * `shared`, indexed by a sequence number; a connection that gets a contiguous run of them
 * keeps only the run's ends, and connections that got the same run share one joined buffer.
 * Broadcasts are not even staged per connection until the flush ({@link BroadcastRun}).
 */
export class Delivery {
  private dirty: Connection[] = [];
  private flushScheduled = false;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Frames of live entries since the last flush, indexed by the `seq` staged with them. */
  private shared: Buffer[] = [];
  /** Frames for every live connection not yet staged on each. */
  private readonly run = new BroadcastRun();
  /** Counts flushes: `shared` indexes are only meaningful within one period. */
  private period = 0;

  constructor(
    private readonly registry: Registry,
    private readonly options: FlushOptions,
  ) {}

  /** Keeps a frame of a live entry for this flush period; returns its sequence number. */
  share(frame: Buffer): number {
    return this.shared.push(frame) - 1;
  }

  /** Sends the shared frame `seq` to every live connection, in O(1): spread at the flush. */
  broadcast(seq: number, bytes: number): void {
    this.run.add(seq, bytes);
    if (this.registry.byId.size > 0) this.scheduleFlush(this.run.bytes);
  }

  /** Whether a broadcast waits to be handed to the connections. */
  get broadcasting(): boolean {
    return this.run.pending;
  }

  /**
   * Stages a frame on one connection for the next flush. `seq` is its index from
   * {@link share}, or -1 for a frame only this connection gets; `frames` counts SSE frames
   * in `frame` when it is several joined (a shared replay).
   */
  stage(connection: Connection, frame: Buffer, seq: number, frames = 1): void {
    // Whatever is staged on a live connection goes after the broadcast frames before it.
    if (this.run.pending && connection.live) this.spreadRun();
    connection.stage(frame, seq, this.shared, frames);
    this.markDirty(connection);
    this.scheduleFlush(connection.pendingBytes);
  }

  /**
   * Makes a caught-up connection live: it joins the registry and receives live entries from
   * now on. Frames of the current broadcast run before this point reached it through replay.
   */
  goLive(connection: Connection): void {
    if (connection.isClosed || connection.live) return;
    connection.live = true;
    connection.livePeriod = this.period;
    connection.liveFrom = this.shared.length;
    this.registry.add(connection);
  }

  /** Runs a scheduled flush now (before shutdown notices, which are written directly). */
  flushPending(): void {
    if (this.flushScheduled) this.flush();
  }

  private markDirty(connection: Connection): void {
    if (!connection.dirty) {
      connection.dirty = true;
      this.dirty.push(connection);
    }
  }

  /** Hands the broadcast run to every live connection. */
  private spreadRun(): void {
    this.run.spread(this.registry.byId.values(), this.period, this.shared, this.stageRun);
  }

  private readonly stageRun = (
    connection: Connection,
    from: number,
    to: number,
    bytes: number,
  ): void => {
    connection.stageRun(from, to, bytes, this.shared);
    this.markDirty(connection);
  };

  /** Schedules the hub's flush; `pendingBytes` is what a socket now has waiting. */
  private scheduleFlush(pendingBytes: number): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One flush per event-loop turn for the whole hub: frames that reach a socket in the
      // same turn leave in one write, and no timer exists per connection. With a flush
      // window, frames gather across turns (one hub-wide timer) to save system calls when
      // messages arrive one per turn.
      if (this.options.flushWindowMs > 0)
        this.flushTimer = setTimeout(this.flush, this.options.flushWindowMs);
      else setImmediate(this.flush);
    } else if (this.flushTimer && pendingBytes >= this.options.flushBytes) {
      // A socket has enough for a full write: don't hold it for the rest of the window.
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.run.pending) this.spreadRun();
    const batch = this.dirty;
    const shared = this.shared;
    this.dirty = [];
    this.shared = [];
    this.period++;
    const now = Date.now();
    // Connections that got the same contiguous run of frames share one joined buffer. The
    // common case (a broadcast) is the same run as the previous connection: compare two
    // numbers, and only build a map key for the other runs.
    let joinedFirst = -1;
    let joinedLast = -1;
    let joined: Buffer | undefined;
    let cache: Map<string, Buffer> | undefined;
    for (const connection of batch) {
      let chunk: Buffer | undefined;
      if (connection.stagedCount > 1 && connection.contiguous) {
        if (connection.firstSeq === joinedFirst && connection.lastSeq === joinedLast)
          chunk = joined;
        else {
          const key = `${connection.firstSeq}:${connection.lastSeq}`;
          cache ??= new Map();
          chunk = cache.get(key);
          if (!chunk) {
            chunk = Buffer.concat(
              shared.slice(connection.firstSeq, connection.lastSeq + 1),
              connection.pendingBytes,
            );
            cache.set(key, chunk);
          }
          joinedFirst = connection.firstSeq;
          joinedLast = connection.lastSeq;
          joined = chunk;
        }
      }
      connection.flush(chunk, shared, now);
    }
  };
}
