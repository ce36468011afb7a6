import { checkName } from './admission.js';
import type { Connection } from './connection.js';
import type { SseConnection } from './hub-events.js';
import type { Registry } from './registry.js';

/**
 * The public view of a connection. A class, not an object literal with getters and
 * closures: one exists per open stream, and the literal cost about 1.4 KiB more each.
 */
export class ConnectionHandle implements SseConnection {
  readonly id: string;
  readonly user: string | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly registry: Registry,
  ) {
    this.id = connection.id;
    this.user = connection.user;
  }

  get rooms(): ReadonlySet<string> {
    return this.connection.rooms;
  }

  get closed(): boolean {
    return this.connection.isClosed;
  }

  join(room: string): void {
    checkName('room', room);
    this.registry.join(this.connection, room);
  }

  leave(room: string): void {
    this.registry.leave(this.connection, room);
  }

  close(): void {
    this.connection.close('closed-by-server');
  }
}
