/** One send of several payloads; resolves with the partition and the first offset. */
export type SendBatch = (payloads: string[]) => Promise<{ partition: number; baseOffset: bigint }>;

interface Pending {
  readonly payload: string;
  resolve(position: { partition: number; offset: bigint }): void;
  reject(error: unknown): void;
}

/**
 * Serializes publishes into batches: one request at a time, each carrying what queued
 * meanwhile (bounded in count and bytes). This keeps one instance's publishes in call order
 * (concurrent KafkaJS sends may reorder) and turns a burst into few requests.
 */
export class PublishQueue {
  private readonly pending: Pending[] = [];
  private sending = false;

  constructor(
    private readonly send: SendBatch,
    private readonly maxCount: number = 500,
    private readonly maxBytes: number = 1024 * 1024,
  ) {}

  push(payload: string): Promise<{ partition: number; offset: bigint }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ payload, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.take();
        try {
          const { partition, baseOffset } = await this.send(batch.map((p) => p.payload));
          for (const [i, p] of batch.entries())
            p.resolve({ partition, offset: baseOffset + BigInt(i) });
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private take(): Pending[] {
    let bytes = 0;
    let count = 0;
    // Always at least one, however large: the broker decides whether it fits.
    while (count < this.pending.length && count < this.maxCount) {
      bytes += this.pending[count]!.payload.length;
      if (count > 0 && bytes > this.maxBytes) break;
      count++;
    }
    return this.pending.splice(0, count);
  }
}
