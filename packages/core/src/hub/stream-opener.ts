import { randomUUID } from 'node:crypto';
import { encodeStreamOpening } from '../wire/stream-opening.js';
import type { Admission } from './admission.js';
import { Connection, type ConnectionOwner } from './connection.js';
import { ConnectionHandle } from './connection-handle.js';
import type { Registry } from './registry.js';
import {
  isResponseGone,
  openResponseSink,
  type SseResponse,
  type SseSink,
} from './response-sink.js';

/** Who a new stream is for, once admission let it open. */
export interface StreamIdentity {
  readonly user: string | undefined;
  readonly rooms: readonly string[];
  /** The key its per-client limit is counted under. */
  readonly client: string;
}

/**
 * Turns an admitted request into an open stream: the sink for its response, the connection
 * and its public handle, counted by admission, and the first bytes (the keep-alive
 * advertisement and `retry:`, encoded once for every stream). Catching it up is the next
 * step, not this one's.
 */
export class StreamOpener {
  private readonly openFrame: Buffer;

  constructor(
    private readonly parts: {
      readonly owner: ConnectionOwner;
      readonly registry: Registry;
      readonly admission: Admission;
      readonly retryMs: number;
      readonly keepAliveMs: number;
      readonly extraHeaders: Readonly<Record<string, string>> | undefined;
    },
  ) {
    this.openFrame = encodeStreamOpening({
      retryMs: parts.retryMs,
      keepAliveMs: parts.keepAliveMs,
    });
  }

  /** Sends the headers on an HTTP/1.1 or HTTP/2 response and opens the stream on it. */
  open(response: SseResponse, identity: StreamIdentity): Connection {
    let connection: Connection | undefined;
    const sink = openResponseSink(
      response,
      { drain: () => connection?.onDrain(), close: () => connection?.close('client-closed') },
      this.parts.extraHeaders,
    );
    connection = this.attach(sink, identity);
    if (isResponseGone(response)) connection.close('client-closed');
    return connection;
  }

  /**
   * Opens a stream on any sink: the seam below the HTTP/1.1 and HTTP/2 responses, for a
   * server whose responses are not Node's. The sink's owner calls the connection's
   * `onDrain()` when it can take writes again and `close('client-closed')` when the client
   * went away.
   */
  attach(sink: SseSink, identity: StreamIdentity): Connection {
    const connection = new Connection(randomUUID(), identity.user, sink, this.parts.owner);
    connection.handle = new ConnectionHandle(connection, this.parts.registry);
    connection.client = identity.client;
    for (const room of identity.rooms) connection.addRoom(room);
    this.parts.admission.admit(connection);
    connection.writeDirect(this.openFrame);
    return connection;
  }
}
