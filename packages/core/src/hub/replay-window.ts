import type { ControlOp } from './control-ops.js';
import type { ResolvedTarget } from './target.js';

/** One message as the hub keeps it for replay: encoded once, shared by every recipient. */
export interface WindowEntry {
  readonly position: string;
  readonly target: ResolvedTarget;
  /** The complete SSE frame, `id:` included. */
  readonly frame: Buffer;
  /** `Date.now()` when it arrived. */
  readonly at: number;
  /**
   * A control operation (its `frame` is empty and no stream is sent it): kept in order with
   * the messages, so a replay changes a stream's rooms where the operation stands.
   */
  readonly control?: ControlOp | undefined;
}

/** Bounds of the replay window. All three apply; the first one reached evicts. */
export interface ReplayWindowLimits {
  /** @default 1000 */
  readonly maxEntries: number;
  /** Sum of frame sizes. @default 8 MiB */
  readonly maxBytes: number;
  /** @default 300000 (5 minutes) */
  readonly maxAgeMs: number;
}

/**
 * The most recent bus entries, oldest first, with O(1) lookup by position. Entries live
 * in an array with a moving start so eviction from the front is O(1) amortized.
 *
 * Besides the entries it knows its *floor*: the position right before the oldest entry held
 * (the bus's start position, or the last entry evicted), after which it holds everything.
 * A stream that resumes from the floor is caught up from the window alone, even when the
 * window is empty: that is what lets a stream opened on an empty log resume.
 */
export class ReplayWindow {
  private entries: WindowEntry[] = [];
  private start = 0;
  /** Absolute index (counting every entry ever appended) by position. */
  private readonly indexByPosition = new Map<string, number>();
  /** Absolute index of `entries[start]`. */
  private base = 0;
  private bytes = 0;
  /** Right before the oldest entry held; `undefined` when continuity before it is unknown. */
  private floor: string | undefined;
  /** The newest position known: the newest entry's, else the floor or the last one before a break. */
  private latest: string | undefined;
  /** Set once continuity broke: from then on only entries or a bus's `resumeAt` set the floor. */
  private broken = false;

  constructor(private readonly limits: ReplayWindowLimits) {}

  /** Number of entries held. */
  get size(): number {
    return this.entries.length - this.start;
  }

  /** Bytes held (frame sizes). */
  get byteSize(): number {
    return this.bytes;
  }

  /** Position of the newest entry, if any. */
  get head(): string | undefined {
    return this.size > 0 ? this.entries[this.entries.length - 1]!.position : undefined;
  }

  /**
   * The newest position known to this instance, also while no entry is held: what a fresh
   * stream is given as its first id, and what a reset carries. `undefined` only before the
   * bus started.
   */
  get position(): string | undefined {
    return this.latest;
  }

  /**
   * Sets the origin: the bus's position when its subscription began. Entries delivered before
   * this call (during the bus's start) come after it by the Bus contract, so it is the floor
   * as long as nothing was evicted or broken since.
   */
  setOrigin(position: string): void {
    if (this.base === 0 && this.floor === undefined && !this.broken) {
      this.floor = position;
      this.latest = this.head ?? position;
    }
  }

  /** Appends the newest entry and evicts what falls outside the limits. */
  append(entry: WindowEntry): void {
    this.latest = entry.position;
    this.indexByPosition.set(entry.position, this.base + this.size);
    this.entries.push(entry);
    this.bytes += entry.frame.length;
    this.evict(entry.at);
  }

  /**
   * The entries strictly after `position`, oldest first, or `undefined` when `position`
   * is neither in the window nor its floor (too old, unknown, or from another epoch).
   */
  after(position: string, now: number = Date.now()): WindowEntry[] | undefined {
    this.evict(now);
    if (position === this.floor) return this.entries.slice(this.start);
    const absolute = this.indexByPosition.get(position);
    if (absolute === undefined) return undefined;
    return this.entries.slice(this.start + (absolute - this.base) + 1);
  }

  /** Whether everything up to `position` has reached this window (it is held, or the floor). */
  has(position: string): boolean {
    return position === this.floor || this.indexByPosition.has(position);
  }

  /**
   * Forgets every entry because the log broke (the bus reported a gap): nothing may be
   * replayed across that point. `resumeAt`, when the bus knows it, is the new floor;
   * without it no position before the next entry proves continuity.
   */
  breakContinuity(resumeAt: string | undefined): void {
    this.base += this.size;
    this.entries = [];
    this.start = 0;
    this.bytes = 0;
    this.indexByPosition.clear();
    this.broken = true;
    this.floor = resumeAt;
    if (resumeAt !== undefined) this.latest = resumeAt;
  }

  private evict(now: number): void {
    const oldest = now - this.limits.maxAgeMs;
    while (this.size > 0) {
      const first = this.entries[this.start]!;
      const over =
        this.size > this.limits.maxEntries ||
        (this.bytes > this.limits.maxBytes && this.size > 1) ||
        first.at < oldest;
      if (!over) break;
      this.indexByPosition.delete(first.position);
      this.bytes -= first.frame.length;
      this.floor = first.position;
      this.start++;
      this.base++;
    }
    // Compact once the dead prefix dominates, so memory tracks the live size.
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }
}
