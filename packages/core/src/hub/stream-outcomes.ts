/**
 * What can become of a stream and its frames: the queue policy and the reasons reported in
 * `drop` and `disconnect` events and in `stats()`.
 * @module
 */

/**
 * What happens when a connection's queue is full:
 * - `'disconnect'` (default): close it; the client reconnects and replays from the log,
 *   so nothing is lost and memory stays bounded.
 * - `'oldest'`: drop the oldest queued frames to make room.
 * - `'newest'`: drop the frame that does not fit.
 * With either drop policy the client is sent an `sse-reset` event once the socket drains,
 * so a gap is never silent.
 */
export type DropPolicy = 'oldest' | 'newest' | 'disconnect';

/** Why frames were dropped or a connection was closed for being slow. */
export type DropReason = 'queue-full-oldest' | 'queue-full-newest' | 'slow-consumer' | 'stalled';

/** Why a connection ended. */
export type DisconnectReason =
  | 'client-closed'
  | 'slow-consumer'
  | 'closed-by-server'
  | 'shutdown'
  | 'error';

/** Per-connection write-queue bounds. */
export interface QueueLimits {
  readonly maxQueueItems: number;
  readonly maxQueueBytes: number;
  readonly dropPolicy: DropPolicy;
}
