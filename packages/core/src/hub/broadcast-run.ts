import type { Connection } from './connection.js';

/**
 * Frames addressed to every live connection since the last flush, kept once for the whole
 * hub instead of being staged on each connection as they arrive. A broadcast then costs
 * O(1) per message and O(connections) per flush, not O(connections) per message.
 *
 * The run is handed to the connections ({@link BroadcastRun.spread}) at the flush, or
 * earlier, as soon as anything else is staged on a live connection: a connection's own
 * frames and the run must leave in the order they arrived.
 */
export class BroadcastRun {
  /** Index of the first frame of the run in the hub's shared frames; -1 when empty. */
  from = -1;
  to = -1;
  bytes = 0;

  /** Whether frames wait to be spread. */
  get pending(): boolean {
    return this.from >= 0;
  }

  /** Adds the frame at index `seq` (always the next index after the run). */
  add(seq: number, bytes: number): void {
    if (this.from < 0) this.from = seq;
    this.to = seq;
    this.bytes += bytes;
  }

  /**
   * Stages the run on every connection (`stage` marks it dirty) and empties it. A
   * connection that went live during the run (in flush period `period`) gets only the
   * frames after it did (`liveFrom`): the earlier ones reached it through replay.
   */
  spread(
    connections: Iterable<Connection>,
    period: number,
    shared: readonly Buffer[],
    stage: (connection: Connection, from: number, to: number, bytes: number) => void,
  ): void {
    const { from, to, bytes } = this;
    this.from = -1;
    this.to = -1;
    this.bytes = 0;
    for (const connection of connections) {
      const liveFrom = connection.livePeriod === period ? connection.liveFrom : 0;
      if (liveFrom <= from) stage(connection, from, to, bytes);
      else if (liveFrom <= to) {
        let partial = 0;
        for (let seq = liveFrom; seq <= to; seq++) partial += shared[seq]!.length;
        stage(connection, liveFrom, to, partial);
      }
    }
  }
}
