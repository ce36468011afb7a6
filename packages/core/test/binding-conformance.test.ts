import { EventSource } from 'eventsource';
import { afterEach, describe, it } from 'vitest';
import { serveStream } from '../src/index.js';
import { runBindingConformance } from '../src/testing/binding-conformance.js';
import { startServer } from './helpers/http.js';

// The suite against plain node:http, the way a user without a framework would wire it.
runBindingConformance({
  name: 'node:http',
  test: { describe, it, afterEach },
  async createServer(hub, resolve) {
    return startServer(async (req, res) => {
      let access: Awaited<ReturnType<typeof resolve>>;
      try {
        access = await resolve(new URL(req.url ?? '/', 'http://localhost'));
      } catch {
        res.writeHead(500).end('resolver failed');
        return;
      }
      await serveStream(hub, req, res, access);
    });
  },
  EventSource,
});
