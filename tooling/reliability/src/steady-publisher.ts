import type { Hub } from '@sse/core';
import type { ReadEvent } from '@sse/core/testing';

/**
 * Publishes 0, 1, 2, … to a room every `intervalMs`, bounded in count and time, and keeps
 * the numbers the bus accepted (a publish that failed during an outage was not accepted).
 */
export class SteadyPublisher {
  private readonly accepted: number[] = [];
  private readonly acceptedTimes = new Map<number, number>();
  private readonly refused: number[] = [];
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly room: string,
    private readonly intervalMs = 2,
    private readonly maxCount = 20_000,
    private readonly maxMs = 60_000,
  ) {}

  get failures(): number {
    return this.refused.length;
  }

  /**
   * Numbers whose publish failed. Such a message may still have been applied (the broker
   * died after writing it but before answering), so a client may or may not receive it.
   */
  get uncertain(): readonly number[] {
    return this.refused;
  }

  get count(): number {
    return this.accepted.length;
  }

  /** When the publish of `n` resolved (the bus accepted it), in epoch ms. */
  acceptedAt(n: number): number | undefined {
    return this.acceptedTimes.get(n);
  }

  start(): void {
    this.running = true;
    const deadline = Date.now() + this.maxMs;
    this.loop = (async () => {
      for (let n = 0; this.running && n < this.maxCount && Date.now() < deadline; n++) {
        try {
          await this.hub.publish({ to: { room: this.room }, data: n });
          this.accepted.push(n);
          this.acceptedTimes.set(n, Date.now());
        } catch {
          this.refused.push(n);
        }
        await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
      }
    })();
  }

  /** Stops and returns the accepted numbers, in order. */
  async stop(): Promise<number[]> {
    this.running = false;
    await this.loop;
    return this.accepted;
  }
}

/** The numbers carried by `message` events, in the order received. */
export function numbersOf(events: readonly ReadEvent[]): number[] {
  return events.filter((e) => e.event === 'message').map((e) => Number(e.data));
}

/**
 * Checks an at-least-accepted, exactly-once delivery: `received` is strictly increasing (no
 * duplicate, no reordering), contains every accepted number, and nothing else but numbers
 * whose publish outcome was uncertain. Returns what broke the rule, or an empty list.
 */
export function deliveryViolations(
  received: readonly number[],
  accepted: readonly number[],
  uncertain: readonly number[],
): string[] {
  const problems: string[] = [];
  for (let i = 1; i < received.length; i++) {
    if (received[i]! <= received[i - 1]!) problems.push(`${received[i]} after ${received[i - 1]}`);
  }
  const got = new Set(received);
  for (const n of accepted) if (!got.has(n)) problems.push(`accepted ${n} never arrived`);
  const allowed = new Set([...accepted, ...uncertain]);
  for (const n of received) if (!allowed.has(n)) problems.push(`${n} was never published`);
  return problems;
}
