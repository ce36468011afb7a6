import { FrameQueue } from './frame-queue.js';
import type { SseConnection } from './hub-events.js';
import type { SseSink } from './response-sink.js';
import { StagedFrames } from './staged-frames.js';
import type { DisconnectReason, DropReason, QueueLimits } from './stream-outcomes.js';

/** Staged frames at least this large are written as they are, not joined (see flush). */
const GATHER_BYTES = 64 * 1024;

/** The hub side of a connection: counters and notifications, shared by all connections. */
export interface ConnectionOwner {
  readonly limits: QueueLimits;
  wrote(connection: Connection, bytes: number, frames: number): void;
  queued(connection: Connection): void;
  dropped(connection: Connection, reason: DropReason, frames: number): void;
  drained(connection: Connection): void;
  ended(connection: Connection, reason: DisconnectReason): void;
}

/**
 * One open stream. Frames for it are staged during a tick ({@link StagedFrames}) and flushed
 * as one write; when the socket is full, frames wait in a bounded queue until `drain`.
 */
export class Connection extends StagedFrames {
  /**
   * Rooms this connection is in (maintained by the registry). Created on the first join:
   * most streams of a large broadcast are in no room, and an empty Set costs ~150 bytes.
   */
  private roomSet: Set<string> | undefined;
  /** Whether the hub has this connection in its flush list. */
  dirty = false;
  /** Whether it is in the registry and receives live entries. */
  live = false;
  /**
   * The hub's flush period in which it went live, and the index in that period's shared
   * frames from which live entries reach it (see BroadcastRun).
   */
  livePeriod = -1;
  liveFrom = 0;
  /** Frames dropped since the last drain (to signal the gap once). */
  lostFrames = 0;
  lastWriteAt: number = Date.now();
  /**
   * Set after a replay from bus history: live entries at or before this position were
   * already sent, and arrive again only because this instance lags behind the broker.
   */
  skipThrough: string | undefined;
  /** The client key (IP by default) its per-client limit is counted under. */
  client = '';
  /** Its public view, given to the application's event listeners. Set once, right after construction. */
  handle!: SseConnection;
  /** Frames waiting for `drain`; created when the socket first fills up, dropped when it drains. */
  private queue: FrameQueue | undefined;
  private blocked = false;
  /** When the socket last filled up; 0 while it accepts writes. */
  blockedSince = 0;
  private closed = false;
  /** Set by {@link Connection.endAfterFlush}: why the stream ends after its next flush. */
  private ending: DisconnectReason | undefined;

  constructor(
    readonly id: string,
    readonly user: string | undefined,
    private readonly sink: SseSink,
    private readonly owner: ConnectionOwner,
  ) {
    super();
  }

  /** Rooms this connection is in. */
  get rooms(): ReadonlySet<string> {
    return this.roomSet ?? NO_ROOMS;
  }

  /** Adds a room to this connection's own list; `false` when it was already in it. */
  addRoom(room: string): boolean {
    if (!this.roomSet) this.roomSet = new Set();
    else if (this.roomSet.has(room)) return false;
    this.roomSet.add(room);
    return true;
  }

  /** Removes a room from this connection's own list; `false` when it was not in it. */
  removeRoom(room: string): boolean {
    return this.roomSet?.delete(room) ?? false;
  }

  /** Whether the stream has ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Frames waiting for the socket to drain. */
  get queuedItems(): number {
    return this.queue?.length ?? 0;
  }

  /** Bytes waiting for the socket to drain. */
  get queuedBytes(): number {
    return this.queue?.bytes ?? 0;
  }

  /**
   * Writes the staged frames as one chunk. `joined` is them as one buffer when the caller
   * has it (shared between connections that got the same run); `shared` as in {@link stage}.
   */
  flush(joined: Buffer | undefined, shared: readonly Buffer[], now: number): void {
    this.writeStaged(joined, shared, now);
    if (this.ending !== undefined) this.close(this.ending);
  }

  /**
   * Ends the stream once what is staged on it has been written (a last event, then the end):
   * at the next flush, or now when nothing is staged.
   */
  endAfterFlush(reason: DisconnectReason): void {
    if (this.closed) return;
    if (!this.dirty) this.close(reason);
    else this.ending = reason;
  }

  /** Whether the stream is closed, or will be at the next flush. */
  get isEnding(): boolean {
    return this.closed || this.ending !== undefined;
  }

  private writeStaged(joined: Buffer | undefined, shared: readonly Buffer[], now: number): void {
    const count = this.stagedCount;
    const bytes = this.pendingBytes;
    const list = this.list;
    this.clearStaged();
    this.dirty = false;
    if (this.closed || count === 0) return;
    if (this.blocked) {
      if (list) for (const frame of list) this.enqueue(frame);
      else for (let seq = this.firstSeq; seq <= this.lastSeq; seq++) this.enqueue(shared[seq]!);
      return;
    }
    if (!joined && list && list.length > 1 && bytes >= GATHER_BYTES && this.sink.writev) {
      // Large pieces (a shared replay) go out as they are, gathered by the socket, rather
      // than copied into one buffer per connection.
      this.writeNow(list, count, now, bytes);
      return;
    }
    let chunk = joined;
    if (!chunk) {
      if (list) chunk = list.length === 1 ? list[0]! : Buffer.concat(list, bytes);
      else if (count === 1) chunk = shared[this.firstSeq]!;
      else chunk = Buffer.concat(shared.slice(this.firstSeq, this.lastSeq + 1), bytes);
    }
    this.writeNow(chunk, count, now);
  }

  /** Writes a frame at once, behind anything already queued (shutdown notices). */
  writeDirect(frame: Buffer, now: number = Date.now()): void {
    if (this.closed) return;
    if (this.blocked) this.enqueue(frame);
    else this.writeNow(frame, 1, now);
  }

  /** Called on the socket's `drain`: writes the whole queue as one chunk. */
  onDrain(): void {
    if (this.closed) return;
    this.blocked = false;
    this.blockedSince = 0;
    const queue = this.queue;
    this.queue = undefined;
    if (queue && queue.length > 0) {
      const frames = queue.length;
      this.writeNow(queue.takeAll(), frames, Date.now());
    }
    if (!this.blocked) this.owner.drained(this);
  }

  /** Cuts a stream whose socket has not drained since `blockedSince` (checked by the hub's timer). */
  cutIfStalled(now: number, maxStallMs: number): boolean {
    if (this.closed || !this.blocked || now - this.blockedSince < maxStallMs) return false;
    this.owner.dropped(this, 'stalled', this.queuedItems);
    this.close('slow-consumer', true);
    return true;
  }

  /** Ends the stream; idempotent. `destroy` tears the socket down without flushing. */
  close(reason: DisconnectReason, destroy = false): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = undefined;
    this.list = undefined;
    if (destroy) this.sink.destroy();
    else this.sink.end();
    this.owner.ended(this, reason);
  }

  private writeNow(
    chunk: Buffer | Buffer[],
    frames: number,
    now: number,
    bytes = (chunk as Buffer).length,
  ): void {
    if (!this.sink.writable) {
      this.close('client-closed');
      return;
    }
    this.lastWriteAt = now;
    this.owner.wrote(this, bytes, frames);
    const accepted = Array.isArray(chunk) ? this.sink.writev!(chunk) : this.sink.write(chunk);
    // `false` is not an error: the bytes were accepted, but the socket is full, so what
    // follows waits in the bounded queue instead of piling up in Node's stream buffer.
    if (!accepted) {
      this.blocked = true;
      this.blockedSince = now;
    }
  }

  private enqueue(frame: Buffer): void {
    const { maxQueueItems, maxQueueBytes, dropPolicy } = this.owner.limits;
    if (!this.queue) this.queue = new FrameQueue();
    const queue = this.queue;
    const fits = (): boolean =>
      queue.length < maxQueueItems && queue.bytes + frame.length <= maxQueueBytes;
    if (!fits()) {
      if (dropPolicy === 'disconnect') {
        this.owner.dropped(this, 'slow-consumer', queue.length + 1);
        this.close('slow-consumer', true);
        return;
      }
      if (dropPolicy === 'newest') {
        this.lostFrames++;
        this.owner.dropped(this, 'queue-full-newest', 1);
        return;
      }
      let dropped = 0;
      while (queue.length > 0 && !fits()) {
        queue.shift();
        dropped++;
      }
      this.lostFrames += dropped;
      if (dropped > 0) this.owner.dropped(this, 'queue-full-oldest', dropped);
      if (!fits()) {
        // A single frame larger than the whole queue: it can never be queued.
        this.lostFrames++;
        this.owner.dropped(this, 'queue-full-oldest', 1);
        return;
      }
    }
    queue.push(frame);
    this.owner.queued(this);
  }
}

const NO_ROOMS: ReadonlySet<string> = new Set();
