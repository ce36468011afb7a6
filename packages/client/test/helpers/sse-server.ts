import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the test server saw of one request. */
export interface SeenRequest {
  readonly index: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

/** Answers request number `index` (0-based). */
export type Responder = (req: SeenRequest, res: ServerResponse) => void;

/** A node:http server on 127.0.0.1:0 that records requests and scripts answers per request. */
export interface TestServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Scripts the next answers; the last one repeats. */
  script(...responders: Responder[]): void;
  /**
   * Breaks every response still open: FIN in the middle of the chunked body, as a restarting
   * server or proxy would (the client sees a broken stream, not a clean end).
   * @returns how many were open.
   */
  dropOpenStreams(): number;
  close(): Promise<void>;
}

/** Starts a {@link TestServer}; `extra` handles paths other than `/sse*` (pages, files). */
export async function startTestServer(
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let responders: Responder[] = [];
  let scriptStart = 0;
  const live = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (extra?.(req, res)) return;
    live.add(res);
    res.on('close', () => live.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        index: requests.length,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      requests.push(seen);
      const i = Math.min(seen.index - scriptStart, responders.length - 1);
      const responder = responders[i];
      if (responder === undefined) {
        res.writeHead(500).end('no responder scripted');
        return;
      }
      responder(seen, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...next: Responder[]): void {
      responders = next;
      scriptStart = requests.length;
    },
    dropOpenStreams(): number {
      const count = live.size;
      for (const res of live) res.socket?.end();
      live.clear();
      return count;
    },
    async close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes SSE headers and `frames` (already formatted), leaving the response open. */
export function openStream(res: ServerResponse, ...frames: string[]): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
  });
  res.flushHeaders();
  for (const frame of frames) res.write(frame);
}

/** Sends `frames` and keeps the stream open until the server closes. */
export const stayOpen =
  (...frames: string[]): Responder =>
  (_req, res) =>
    openStream(res, ...frames);

/** Sends `frames` and ends the response at once, as a server that closes every stream does. */
export const endAfter =
  (...frames: string[]): Responder =>
  (_req, res) => {
    openStream(res, ...frames);
    res.end();
  };

/** Answers with `status` and optional headers, no stream. */
export const status =
  (code: number, headers: Record<string, string> = {}): Responder =>
  (_req, res) => {
    res.writeHead(code, headers).end(`status ${code}`);
  };

/** Formats one frame. */
export function frame(data: unknown, options: { id?: string; event?: string } = {}): string {
  let out = '';
  if (options.id !== undefined) out += `id: ${options.id}\n`;
  if (options.event !== undefined) out += `event: ${options.event}\n`;
  return `${out}data: ${JSON.stringify(data)}\n\n`;
}
