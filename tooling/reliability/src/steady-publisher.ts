import type { Hub } from '@sse/core';
import type { ReadEvent } from '@sse/core/testing';

/**
 * Publishes 0, 1, 2, … to a room every `intervalMs`, bounded in count and time, and keeps
 * the numbers the bus accepted (a publish that failed during an outage was not accepted).
 */
export class SteadyPublisher {
  private readonly accepted: number[] = [];
  private failed = 0;
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
    return this.failed;
  }

  get count(): number {
    return this.accepted.length;
  }

  start(): void {
    this.running = true;
    const deadline = Date.now() + this.maxMs;
    this.loop = (async () => {
      for (let n = 0; this.running && n < this.maxCount && Date.now() < deadline; n++) {
        try {
          await this.hub.publish({ to: { room: this.room }, data: n });
          this.accepted.push(n);
        } catch {
          this.failed++;
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
