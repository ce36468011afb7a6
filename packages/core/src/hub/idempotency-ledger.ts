import type { Bus } from '../bus/bus.js';
import type { IdempotencyStamp } from './envelope.js';

/** The first entry this instance delivered for a key. */
interface FirstEntry {
  readonly position: string;
  /** Its publisher's stamp (see {@link IdempotencyStamp.at}). */
  readonly at: number;
}

/** Bounds of the ledger (the hub's `idempotency` option, resolved). */
export interface IdempotencyLimits {
  /** Two entries of one key whose stamps are less than this apart are one message. */
  readonly windowMs: number;
  /** Most keys remembered; past it the oldest is forgotten first. */
  readonly maxKeys: number;
}

/** Decides, across the pages of one replay, which history entries repeat a key. */
export interface ReplayRepeats {
  /** Whether the entry at `position` repeats a key delivered before it; remembers it if not. */
  repeats(stamp: IdempotencyStamp, position: string): boolean;
}

/**
 * The idempotency keys of the entries this instance received from the bus: key → the first
 * entry that carried it, in log order, bounded by the window and by `maxKeys`.
 *
 * Two uses. Every publish with a key asks it first: a key already in the log within the
 * window is answered with that entry's position, and nothing is sent to the bus (on every
 * bus, so a retry that reaches an instance which already saw the first append costs no
 * round trip). And on a bus that cannot refuse a repeat itself (`filters`), it is the
 * filter: an entry whose key an earlier entry carried within the window is dropped, live
 * and in every replay from history, by the same rule on every instance, because the rule
 * reads only what the entries carry (their order and their publishers' stamps).
 *
 * On a bus that deduplicates, the broker's decision stands: a key it accepted again (its
 * window ran out a moment earlier than ours) replaces the one remembered, and nothing is
 * dropped.
 */
export class IdempotencyLedger {
  /** Insertion order is log order, so the oldest key is always first. */
  private readonly firsts = new Map<string, FirstEntry>();
  /** The newest stamp seen: keys stamped a window before it can never match again. */
  private newestAt = Number.NEGATIVE_INFINITY;

  /**
   * @param limits - window and size.
   * @param filters - the bus does not deduplicate: repeats are dropped here.
   * @param compare - the bus's `comparePositions`, to tell which of two entries came first.
   */
  constructor(
    private readonly limits: IdempotencyLimits,
    readonly filters: boolean,
    private readonly compare: ((a: string, b: string) => number | undefined) | undefined,
  ) {}

  /** How long a key is remembered, in ms (the bus is told it at start). */
  get windowMs(): number {
    return this.limits.windowMs;
  }

  /** Keys remembered. */
  get size(): number {
    return this.firsts.size;
  }

  /**
   * The position of the entry that already carries `key`, when a publish stamped `at` would
   * repeat it; `undefined` when the key is new (or its window is over).
   */
  known(key: string, at: number): string | undefined {
    const first = this.firsts.get(key);
    return first !== undefined && at - first.at < this.limits.windowMs ? first.position : undefined;
  }

  /**
   * Records a keyed entry the bus delivered.
   * @returns the first entry's position when this one repeats it and the hub must drop it
   *   (only when `filters`); `undefined` when it is to be delivered.
   */
  admit(stamp: IdempotencyStamp, position: string): string | undefined {
    this.expire(stamp.at);
    const first = this.firsts.get(stamp.key);
    if (
      this.filters &&
      first !== undefined &&
      first.position !== position &&
      stamp.at - first.at < this.limits.windowMs
    )
      return first.position;
    // Re-inserted so that the map stays in log order.
    this.firsts.delete(stamp.key);
    this.firsts.set(stamp.key, { position, at: stamp.at });
    if (this.firsts.size > this.limits.maxKeys)
      this.firsts.delete(this.firsts.keys().next().value!);
    return undefined;
  }

  /**
   * A filter for one replay from the bus's history, or `undefined` when the bus deduplicates
   * (its log holds no repeats). History may hold both entries of a key (when two instances
   * appended it at once): the second is dropped whether the first was replayed in this run
   * or delivered live here before.
   */
  replay(): ReplayRepeats | undefined {
    if (!this.filters) return undefined;
    const replayed = new Map<string, FirstEntry>();
    return {
      repeats: (stamp, position) => {
        const earlier = replayed.get(stamp.key) ?? this.deliveredBefore(stamp.key, position);
        if (
          earlier !== undefined &&
          earlier.position !== position &&
          stamp.at - earlier.at < this.limits.windowMs
        )
          return true;
        replayed.set(stamp.key, { position, at: stamp.at });
        return false;
      },
    };
  }

  /** The live first entry of `key`, if it comes before `position` in the log. */
  private deliveredBefore(key: string, position: string): FirstEntry | undefined {
    const first = this.firsts.get(key);
    if (first === undefined) return undefined;
    // Incomparable positions (another partition): assume the live one came first, so that a
    // client is never sent the same message twice.
    const order = this.compare?.(first.position, position);
    return order === undefined || order < 0 ? first : undefined;
  }

  /** Forgets keys stamped a whole window before the newest stamp, oldest first. */
  private expire(at: number): void {
    if (at > this.newestAt) this.newestAt = at;
    const horizon = this.newestAt - this.limits.windowMs;
    for (const [key, first] of this.firsts) {
      if (first.at > horizon) break;
      this.firsts.delete(key);
    }
  }
}

/**
 * The ledger for a hub on `bus`: it filters unless the bus refuses repeats itself (it says
 * `deduplicates` and implements `publishOnce`; a bus that only says so is filtered, so that
 * a wrapper which forgot to pass `publishOnce` on still gets keys honoured).
 * @param bus - the hub's bus.
 * @param limits - the hub's `idempotency` option, resolved.
 */
export function ledgerFor(bus: Bus, limits: IdempotencyLimits): IdempotencyLedger {
  const deduplicates = bus.deduplicates === true && typeof bus.publishOnce === 'function';
  return new IdempotencyLedger(limits, !deduplicates, bus.comparePositions?.bind(bus));
}
