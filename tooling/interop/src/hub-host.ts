import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hub, SseConnection } from '@sse/core';

/** What the host serves besides the stream (the page a browser test loads, a script). */
export type ExtraRoutes = (request: http.IncomingMessage, response: http.ServerResponse) => boolean;

/**
 * A real HTTP server in front of a hub that a test can swap (a restart, as a client sees it:
 * same address, new process state) and gate (reconnects wait until the test opens the gate,
 * so "publish while the client is away" needs no timing luck).
 */
export class HubHost {
  /** `http://127.0.0.1:<port>` */
  url = '';
  /** Requests for the stream that wait at the closed gate. */
  waiting = 0;
  /** Stream requests seen, and the `Last-Event-ID` each carried (`''` for none). */
  readonly requests: string[] = [];
  private readonly server: http.Server;
  private readonly open = new Set<SseConnection>();
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(
    private current: Hub,
    private readonly extra: ExtraRoutes = () => false,
  ) {
    this.server = http.createServer((request, response) => void this.route(request, response));
    this.watch(current);
  }

  /** Listens on 127.0.0.1, on a free port. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The hub behind the host now. */
  get hub(): Hub {
    return this.current;
  }

  /** Streams open on the current hub. */
  get streams(): number {
    return this.open.size;
  }

  /** Closes the gate: stream requests wait until {@link HubHost.openGate}. */
  closeGate(): void {
    this.gate ??= new Promise<void>((resolve) => {
      this.release = resolve;
    });
  }

  /** Lets waiting and later stream requests through. */
  openGate(): void {
    this.release?.();
    this.gate = undefined;
    this.release = undefined;
  }

  /** Ends every open stream from the server side (each client sees its stream end). */
  dropStreams(): void {
    for (const connection of [...this.open]) connection.close();
  }

  /** Puts another hub behind the same address; the old one's streams are dropped. */
  swap(next: Hub): void {
    this.dropStreams();
    this.current = next;
    this.watch(next);
  }

  /** Stops the server (open sockets are destroyed). */
  async close(): Promise<void> {
    this.openGate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private watch(hub: Hub): void {
    hub.on('connect', (connection) => {
      if (hub === this.current) this.open.add(connection);
    });
    hub.on('disconnect', (connection) => this.open.delete(connection));
  }

  private async route(request: http.IncomingMessage, response: http.ServerResponse) {
    if (!request.url?.startsWith('/events')) {
      if (!this.extra(request, response)) response.writeHead(404).end();
      return;
    }
    const header = request.headers['last-event-id'];
    this.requests.push(typeof header === 'string' ? header : '');
    if (this.gate) {
      this.waiting++;
      await this.gate;
      this.waiting--;
    }
    await this.current.handle(request, response);
  }
}
