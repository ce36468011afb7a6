/** How long a publish waits for its own entry to come back before it stops counting. */
export const LOCAL_DELIVERY_TIMEOUT_MS = 5_000;
/** Delivery counts kept for entries nobody waits for yet. */
const RECENT_DELIVERIES = 256;

/**
 * What became of an entry on this instance: the number of streams it was sent to, or, when
 * the hub dropped it as the repeat of an idempotency key, the position of the first entry.
 */
export type LocalOutcome = number | { readonly repeatOf: string };

/**
 * Local delivery counts for `publish()`: how many streams on this instance were sent an entry
 * this instance published. The bus may hand the entry back before or after `publish()` hears
 * its position, so both orders meet here. One timer serves every waiting receipt.
 */
export class Receipts {
  /** Outcomes of entries delivered before anyone asked, newest last. */
  private readonly recent = new Map<string, LocalOutcome>();
  /** This instance's publishes the bus has not yet confirmed: their counts are kept. */
  private ownInFlight = 0;
  private readonly waiters = new Map<
    string,
    { resolve: (outcome: LocalOutcome | undefined) => void; deadline: number }
  >();
  /** Armed only while receipts wait, for the oldest one. */
  private timer: NodeJS.Timeout | undefined;

  /** A publish of this instance is on its way to the bus. */
  sending(): void {
    this.ownInFlight++;
  }

  /** That publish was accepted (and its receipt asked for) or failed. */
  settled(): void {
    this.ownInFlight--;
  }

  /**
   * The outcome for `position`: at once when its entry was already delivered, else once it
   * is, or `undefined` after {@link LOCAL_DELIVERY_TIMEOUT_MS}.
   */
  outcomeOf(position: string): Promise<LocalOutcome | undefined> | LocalOutcome {
    const known = this.recent.get(position);
    if (known !== undefined) {
      this.recent.delete(position);
      return known;
    }
    return new Promise((resolve) => {
      this.waiters.set(position, { resolve, deadline: Date.now() + LOCAL_DELIVERY_TIMEOUT_MS });
      this.arm();
    });
  }

  /** Records how many local streams the entry at `position` was sent to. */
  delivered(position: string, recipients: number): void {
    this.settle(position, recipients);
  }

  /** Records that the entry at `position` was dropped as a repeat of the one at `first`. */
  repeated(position: string, first: string): void {
    this.settle(position, { repeatOf: first });
  }

  private settle(position: string, outcome: LocalOutcome): void {
    const waiter = this.waiters.get(position);
    if (waiter) {
      this.waiters.delete(position);
      waiter.resolve(outcome);
      return;
    }
    this.recent.set(position, outcome);
    // Bounded, but never below what this instance's own publishes still wait for: a burst of
    // more than RECENT_DELIVERIES publishes in one turn must not lose its receipts.
    if (this.recent.size > RECENT_DELIVERIES + this.ownInFlight)
      this.recent.delete(this.recent.keys().next().value!);
  }

  /** Resolves every waiting receipt with `undefined` and stops the timer. */
  close(): void {
    for (const waiter of this.waiters.values()) waiter.resolve(undefined);
    this.waiters.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Arms the timer for the oldest waiting receipt. Receipts wait in insertion order with one
   * timeout, so the first one always expires first.
   */
  private arm(): void {
    if (this.timer || this.waiters.size === 0) return;
    const first = this.waiters.values().next().value!;
    this.timer = setTimeout(this.expire, Math.max(0, first.deadline - Date.now()));
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = Date.now();
    for (const [position, waiter] of this.waiters) {
      if (waiter.deadline > now) break;
      this.waiters.delete(position);
      waiter.resolve(undefined);
    }
    this.arm();
  };
}
