import type { BusState } from '../bus/bus.js';
import type { PresenceChange } from './presence.js';
import type { DisconnectReason, DropReason } from './stream-outcomes.js';

/** Public view of one open stream. */
export interface SseConnection {
  /** Random id, unique per stream; a reconnect gets a new one. */
  readonly id: string;
  /** The user it was opened for, if any. */
  readonly user: string | undefined;
  /** Rooms it is in now. */
  readonly rooms: ReadonlySet<string>;
  /** Whether the stream has ended. */
  readonly closed: boolean;
  /** Joins a room at run time; later messages to that room reach this stream. */
  join(room: string): void;
  /** Leaves a room at run time. */
  leave(room: string): void;
  /** Ends the stream from the server side (the client will reconnect unless told not to). */
  close(): void;
}

/** Typed hub events: `hub.on('drop', (connection, reason, frames) => …)`. */
export interface HubEvents {
  /** A stream opened and caught up (after any replay). */
  connect: [connection: SseConnection];
  /** A stream ended. */
  disconnect: [connection: SseConnection, reason: DisconnectReason];
  /** Frames were dropped, or a slow connection cut, by the queue policy. */
  drop: [connection: SseConnection, reason: DropReason, frames: number];
  /** A reset event was sent: continuity could not be proven. */
  reset: [connection: SseConnection | undefined, reason: string];
  /** Something failed without breaking other streams (bad payload, bus protocol error…). */
  error: [error: Error, connection: SseConnection | undefined];
  /** Users came or went in a room, cluster-wide (with `presence` on). */
  presence: [change: PresenceChange];
  /** The bus changed state. */
  bus: [state: BusState, error: Error | undefined];
}
