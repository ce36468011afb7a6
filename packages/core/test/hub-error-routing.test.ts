import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Bus, createHub, createMemoryBus, isSseError, type SseError } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(async () => {
  vi.useRealTimers();
  await cleanup.run();
});

describe('errors land where they belong', () => {
  it('a throwing authorize hook is a 500 of its own, with nothing of the hook on the wire', async () => {
    const hub = createHub({
      authorize: () => {
        throw new Error('db password rejected for user admin@10.0.0.3');
      },
    });
    const errors: Error[] = [];
    hub.on('error', (error) => errors.push(error));
    const server = await serveHub(hub, cleanup);
    const response = await fetch(server.url);
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(JSON.parse(body).error).toBe('SSE_AUTHORIZE_FAILED');
    expect(body).not.toMatch(/password|admin|10\.0\.0\.3/);
    expect(errors).toHaveLength(1);
    expect(isSseError(errors[0], 'SSE_AUTHORIZE_FAILED')).toBe(true);
    expect(((errors[0] as SseError).cause as Error).message).toMatch(/db password/);
    expect(hub.stats().connections).toBe(0);
  });

  it('a throwing connect listener changes nothing about the stream it was told of', async () => {
    const hub = createHub();
    hub.on('connect', () => {
      throw new Error('listener bug');
    });
    const errors: Error[] = [];
    hub.on('error', (error) => errors.push(error));
    const server = await serveHub(hub, cleanup);
    const reader = await openReader(server.url, cleanup);
    await waitFor(() => errors.length === 1, 2000, 'the listener error to be reported');
    expect(isSseError(errors[0], 'SSE_LISTENER_FAILED')).toBe(true);
    expect(reader.status).toBe(200);
    expect(hub.stats().connections).toBe(1);
    await hub.publish({ data: 'still live' });
    await reader.waitForEvents(1);
    expect(reader.events[0]!.data).toBe('"still live"');
  });

  it('handle() resolves with the stream even when a connect listener throws', async () => {
    const hub = createHub();
    hub.on('connect', () => {
      throw new Error('listener bug');
    });
    hub.on('error', () => undefined);
    let handled: unknown = 'pending';
    const server = await serveHub(hub, cleanup, (result) => {
      handled = result;
    });
    await openReader(server.url, cleanup);
    await waitFor(() => handled !== 'pending', 2000, 'handle() to settle');
    expect(handled).toMatchObject({ closed: false });
  });

  it('a receipt resolves without local recipients 5 s after publish, whatever keepAliveMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'Date'] });
    // A bus that accepts but never delivers back to this instance.
    const inner = createMemoryBus();
    const bus: Bus = {
      ...inner,
      kind: 'deaf',
      start: (listener) => inner.start({ ...listener, entry: () => undefined }),
      publish: (payload) => inner.publish(payload),
      close: () => inner.close(),
    };
    const hub = createHub({ bus, keepAliveMs: 60_000 });
    cleanup.add(() => hub.shutdown({ announce: false, graceMs: 0 }));
    let receipt: { localRecipients: number | undefined } | undefined;
    void hub.publish({ data: 1 }).then((r) => {
      receipt = r;
    });
    await vi.advanceTimersByTimeAsync(4_900);
    expect(receipt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(receipt).toEqual({
      id: expect.any(String),
      localRecipients: undefined,
      duplicate: false,
    });
  });

  it('warns once when an error has no listener', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    cleanup.add(() => {
      process.off('warning', onWarning);
    });
    const hub = createHub();
    cleanup.add(() => hub.shutdown({ announce: false, graceMs: 0 }));
    await hub.publish({ data: undefined }).catch(() => undefined);
    await hub.publish({ data: undefined }).catch(() => undefined);
    await waitFor(() => warnings.length > 0, 2000, 'a process warning');
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/no 'error' listener/);
    expect((warnings[0] as Error & { code?: string }).code).toBe('SSE_SERIALIZE_FAILED');
  });
});
