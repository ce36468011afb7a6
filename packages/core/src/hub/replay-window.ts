import type { ResolvedTarget } from './target.js';

/** One message as the hub keeps it for replay: encoded once, shared by every recipient. */
export interface WindowEntry {
  readonly position: string;
  readonly target: ResolvedTarget;
  /** The complete SSE frame, `id:` included. */
  readonly frame: Buffer;
  /** `Date.now()` when it arrived. */
  readonly at: number;
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
 */
export class ReplayWindow {
  private entries: WindowEntry[] = [];
  private start = 0;
  /** Absolute index (counting every entry ever appended) by position. */
  private readonly indexByPosition = new Map<string, number>();
  /** Absolute index of `entries[start]`. */
  private base = 0;
  private bytes = 0;

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
    return this.entries[this.entries.length - 1]?.position;
  }

  /** Appends the newest entry and evicts what falls outside the limits. */
  append(entry: WindowEntry): void {
    if (this.limits.maxEntries <= 0) return;
    this.indexByPosition.set(entry.position, this.base + this.size);
    this.entries.push(entry);
    this.bytes += entry.frame.length;
    this.evict(entry.at);
  }

  /**
   * The entries strictly after `position`, oldest first, or `undefined` when `position`
   * is not in the window (too old, unknown, or from another epoch).
   */
  after(position: string, now: number = Date.now()): WindowEntry[] | undefined {
    this.evict(now);
    const absolute = this.indexByPosition.get(position);
    if (absolute === undefined) return undefined;
    return this.entries.slice(this.start + (absolute - this.base) + 1);
  }

  /** Whether `position` is in the window. */
  has(position: string): boolean {
    return this.indexByPosition.has(position);
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
