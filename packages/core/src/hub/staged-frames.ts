/**
 * The frames staged on one connection since the hub's last flush. While they are one
 * contiguous run of the hub's shared frames (a broadcast: the common case) only the run's
 * ends are kept, so staging costs no allocation per recipient; `list` exists only once the
 * run breaks. A base class rather than a field: one object per stream, not two (memory per
 * idle stream is a measured figure).
 */
export abstract class StagedFrames {
  /** SSE frames staged (a joined replay counts each frame in it). */
  stagedCount = 0;
  /** Bytes staged. */
  pendingBytes = 0;
  /** The staged run's first and last index in the shared frames, while `contiguous`. */
  firstSeq = -1;
  lastSeq = -1;
  /** Whether the staged frames are exactly the shared frames `firstSeq`..`lastSeq`. */
  contiguous = true;
  /** The staged frames, once they are not one contiguous run. */
  protected list: Buffer[] | undefined;

  /**
   * Stages a frame for the next flush. `seq` is the frame's index in `shared` (the hub's
   * frames of this flush period), or -1 for a frame only this connection gets. `frames`
   * counts SSE frames in `frame` when it is several joined (a shared replay).
   */
  stage(frame: Buffer, seq: number, shared: readonly Buffer[], frames = 1): void {
    if (this.stagedCount === 0) {
      this.firstSeq = seq;
      this.lastSeq = seq;
      this.contiguous = seq >= 0;
      if (!this.contiguous) this.list = [frame];
    } else if (this.contiguous && seq >= 0 && seq === this.lastSeq + 1) {
      this.lastSeq = seq;
    } else {
      if (this.contiguous) {
        this.list = shared.slice(this.firstSeq, this.lastSeq + 1);
        this.contiguous = false;
      }
      this.list!.push(frame);
    }
    this.stagedCount += frames;
    this.pendingBytes += frame.length;
  }

  /**
   * Stages the shared frames `from`..`to` (inclusive; `bytes` long) at once: a broadcast
   * run handed over by the hub.
   */
  stageRun(from: number, to: number, bytes: number, shared: readonly Buffer[]): void {
    if (this.stagedCount === 0) {
      this.firstSeq = from;
      this.lastSeq = to;
      this.contiguous = true;
    } else if (this.contiguous && from === this.lastSeq + 1) {
      this.lastSeq = to;
    } else {
      if (this.contiguous) {
        this.list = shared.slice(this.firstSeq, this.lastSeq + 1);
        this.contiguous = false;
      }
      for (let seq = from; seq <= to; seq++) this.list!.push(shared[seq]!);
    }
    this.stagedCount += to - from + 1;
    this.pendingBytes += bytes;
  }

  /** Forgets what is staged (taken by a flush, or the stream ended). */
  protected clearStaged(): void {
    this.stagedCount = 0;
    this.pendingBytes = 0;
    this.list = undefined;
  }
}
