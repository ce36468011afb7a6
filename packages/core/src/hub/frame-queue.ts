/**
 * A FIFO of frames with O(1) push and shift, counting items and bytes. Frames are shared
 * buffers (encoded once for every recipient), so a queue holds references, but its bytes
 * are counted in full: that is the bound a user configures.
 */
export class FrameQueue {
  private items: Buffer[] = [];
  private start = 0;
  /** Bytes queued. */
  bytes = 0;

  /** Frames queued. */
  get length(): number {
    return this.items.length - this.start;
  }

  push(frame: Buffer): void {
    this.items.push(frame);
    this.bytes += frame.length;
  }

  /** Removes and returns the oldest frame. */
  shift(): Buffer | undefined {
    if (this.start >= this.items.length) return undefined;
    const frame = this.items[this.start]!;
    this.items[this.start++] = EMPTY;
    this.bytes -= frame.length;
    if (this.start > 512 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return frame;
  }

  /** Removes every frame and returns them joined in one buffer (one write on drain). */
  takeAll(): Buffer {
    const live = this.start === 0 ? this.items : this.items.slice(this.start);
    const joined = live.length === 1 ? live[0]! : Buffer.concat(live, this.bytes);
    this.items = [];
    this.start = 0;
    this.bytes = 0;
    return joined;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);
