import type { SseReader } from '@sse/core/testing';

/**
 * When a client received each numbered message: samples an {@link SseReader} every few ms
 * (the reader keeps no times of its own), so every time is at most `intervalMs` late.
 */
export class ArrivalClock {
  private readonly times = new Map<number, number>();
  private seen = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly reader: SseReader,
    intervalMs = 5,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** When message `n` first arrived, or `undefined`. */
  arrivedAt(n: number): number | undefined {
    this.sample();
    return this.times.get(n);
  }

  /** When the first message arrived at or after `since`, or `undefined`. */
  firstArrivalSince(since: number): number | undefined {
    this.sample();
    let first: number | undefined;
    for (const at of this.times.values())
      if (at >= since && (first === undefined || at < first)) first = at;
    return first;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = Date.now();
    for (; this.seen < this.reader.events.length; this.seen++) {
      const event = this.reader.events[this.seen]!;
      if (event.event !== 'message') continue;
      const n = Number(event.data);
      if (!this.times.has(n)) this.times.set(n, now);
    }
  }
}

/** One accepted publish: its number and when the bus accepted it. */
export interface Acceptance {
  readonly n: number;
  readonly at: number;
}

/**
 * Time to resume after a broker restart, in ms from `backAt` (the broker accepts connections
 * again) to the moment delivery is live again: the later of the first arrival after `backAt`
 * and the arrival of the last message that was held back, that is, arrived more than
 * `promptMs` after its publish was accepted. A bus that delivers a few messages after the
 * restart and then stalls is so measured to the end of its stall, not to its first trickle.
 * Messages that never arrived (a lossy bus) do not count; `undefined` when nothing arrived
 * after `backAt`.
 */
export function timeToResume(
  accepted: readonly Acceptance[],
  clock: Pick<ArrivalClock, 'arrivedAt' | 'firstArrivalSince'>,
  backAt: number,
  promptMs = 1_000,
): number | undefined {
  let resumedAt = clock.firstArrivalSince(backAt);
  if (resumedAt === undefined) return undefined;
  for (const { n, at } of accepted) {
    const arrived = clock.arrivedAt(n);
    if (arrived !== undefined && arrived - at > promptMs) resumedAt = Math.max(resumedAt, arrived);
  }
  return resumedAt - backAt;
}
