import type { Hub, SseConnection } from '../../src/index.js';
import { SseReader } from '../../src/testing/sse-reader.js';
import { startServer, type TestServer } from './http.js';

/** Collects cleanups and runs them in reverse order from `afterEach`. */
export class Cleanup {
  private readonly fns: (() => Promise<void> | void)[] = [];
  add(fn: () => Promise<void> | void): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.splice(0).reverse()) await fn();
  }
}

/** A hub behind a real server; `?user=` and `?room=` name the stream's identity. */
export async function serveHub(
  hub: Hub,
  cleanup: Cleanup,
  handled: (result: SseConnection | undefined) => void = () => undefined,
): Promise<TestServer> {
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    void hub
      .handle(req, res, {
        user: url.searchParams.get('user') ?? undefined,
        rooms: url.searchParams.getAll('room'),
      })
      .then(handled);
  });
  cleanup.add(() => hub.shutdown({ announce: false, graceMs: 100 }));
  cleanup.add(() => server.close());
  return server;
}

export async function openReader(
  url: string,
  cleanup: Cleanup,
  headers?: Record<string, string>,
): Promise<SseReader> {
  const reader = await SseReader.open(url, headers);
  cleanup.add(() => reader.close());
  return reader;
}
