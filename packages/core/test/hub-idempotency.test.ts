import { afterEach, describe, expect, it } from 'vitest';
import {
  type Bus,
  createHub,
  createMemoryBus,
  createMemoryLog,
  isSseError,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  SseError,
} from '../src/index.js';
import { createPlainLogs } from './helpers/plain-logs.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Rejects the first call of `method`, after letting the inner bus do it: a reply lost in transit. */
function losesFirstReply<B extends Bus>(bus: B, method: 'publish' | 'publishOnce'): B {
  let lost = false;
  const unavailable = (): SseError =>
    new SseError('SSE_BUS_UNAVAILABLE', 'timed out after 5000 ms (publishTimeoutMs)');
  if (method === 'publish') {
    const inner = bus.publish.bind(bus);
    return Object.assign(bus, {
      publish: async (payload: string) => {
        const position = await inner(payload);
        if (lost) return position;
        lost = true;
        throw unavailable();
      },
    });
  }
  const inner = bus.publishOnce!.bind(bus);
  return Object.assign(bus, {
    publishOnce: async (payload: string, options: { key: string }) => {
      const appended = await inner(payload, options);
      if (lost) return appended;
      lost = true;
      throw unavailable();
    },
  });
}

/** Counts what reaches the bus. */
function counting<B extends Bus>(bus: B): B & { readonly calls: string[] } {
  const calls: string[] = [];
  const publish = bus.publish.bind(bus);
  const publishOnce = bus.publishOnce?.bind(bus);
  return Object.assign(bus, {
    calls,
    publish: (payload: string) => {
      calls.push('publish');
      return publish(payload);
    },
    ...(publishOnce && {
      publishOnce: (payload: string, options: { key: string }) => {
        calls.push('publishOnce');
        return publishOnce(payload, options);
      },
    }),
  });
}

describe('publish({ idempotencyKey }): the key', () => {
  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)],
    ['with a space', 'two words'],
    ['with a newline', 'a\nb'],
    ['with a Redis hash tag', '{slot}'],
    ['not a string', 42],
  ])('is refused when %s, with SSE_INVALID_FIELD, before anything is sent', async (_, key) => {
    const bus = counting(createMemoryBus());
    const hub = createHub({ bus });
    const errors: unknown[] = [];
    hub.on('error', (error) => errors.push(error));
    const refused = await hub
      .publish({ data: 1, idempotencyKey: key as string })
      .catch((error: unknown) => error);
    expect(isSseError(refused, 'SSE_INVALID_FIELD')).toBe(true);
    expect((refused as SseError).details).toMatchObject({ field: 'idempotencyKey' });
    expect(errors).toEqual([refused]);
    expect(bus.calls).toEqual([]);
    await hub.shutdown({ announce: false });
  });

  it('accepts UUIDs, scoped keys and the longest allowed', async () => {
    const hub = createHub();
    for (const key of [crypto.randomUUID(), 'alice:01J9Z/x_y-z.1', 'k'.repeat(128)])
      expect((await hub.publish({ data: 1, idempotencyKey: key })).duplicate).toBe(false);
    await hub.shutdown({ announce: false });
  });

  it.each([
    [{ windowMs: 999 }],
    [{ windowMs: 86_400_001 }],
    [{ windowMs: 1500.5 }],
    [{ maxKeys: 0 }],
  ])('the hub option %j is refused with SSE_INVALID_OPTION', (idempotency) => {
    expect(() => createHub({ idempotency })).toThrow(
      expect.objectContaining({ code: 'SSE_INVALID_OPTION' }),
    );
  });
});

describe('a retry after an ambiguous failure', () => {
  it.each([
    ['a bus that deduplicates (the broker answers the repeat)', 'publishOnce', true],
    ['a bus the hub filters (the entry came back before the retry)', 'publish', false],
  ] as const)('on %s is delivered once, under the first id', async (_, method, deduplicating) => {
    const logs = createPlainLogs();
    const inner = deduplicating ? createMemoryBus({ log: createMemoryLog() }) : logs.fleeting('c');
    const bus = counting(losesFirstReply(inner, method));
    const hub = createHub({ bus });
    const reader = await openReader((await serveHub(hub, cleanup)).url, cleanup);
    await hub.ready();
    const message = { event: 'chat', data: { text: 'hi' }, idempotencyKey: 'msg-1' };
    const failed = await hub.publish(message).catch((error: unknown) => error);
    expect(isSseError(failed, 'SSE_BUS_UNAVAILABLE')).toBe(true);
    const retry = await hub.publish(message);
    expect(retry).toMatchObject({ duplicate: true, localRecipients: 0 });
    const marker = await hub.publish({ event: 'chat', data: 'marker' });
    await reader.waitForEvents(2);
    expect(reader.events.map((e) => [e.id, e.data])).toEqual([
      [retry.id, '{"text":"hi"}'],
      [marker.id, '"marker"'],
    ]);
    // The hub had seen the entry come back: the retry did not reach the bus.
    expect(bus.calls).toEqual([method, 'publish']);
    expect(hub.stats().idempotency).toMatchObject({ repeats: 1, keys: 1 });
  });

  it('on an instance that started after the first append: the broker answers the repeat', async () => {
    const log = createMemoryLog();
    const a = createHub({ bus: losesFirstReply(createMemoryBus({ log }), 'publishOnce') });
    a.on('error', () => undefined);
    const message = { data: 'hi', idempotencyKey: 'msg-2' };
    expect(await a.publish(message).catch((error: unknown) => error)).toBeInstanceOf(SseError);
    const bus = counting(createMemoryBus({ log }));
    const b = createHub({ bus });
    const retry = await b.publish(message);
    expect(retry.duplicate).toBe(true);
    expect(bus.calls).toEqual(['publishOnce']);
    expect(b.stats().idempotency.keys).toBe(0);
    await Promise.all([a.shutdown({ announce: false }), b.shutdown({ announce: false })]);
  });

  it('on a bus the hub filters, an instance that started between the two appends delivers the second (the documented limit)', async () => {
    const logs = createPlainLogs();
    const a = createHub({ bus: losesFirstReply(logs.fleeting('c'), 'publish') });
    a.on('error', () => undefined);
    const onA = await openReader((await serveHub(a, cleanup)).url, cleanup);
    await a.ready();
    const message = { data: 'hi', idempotencyKey: 'msg-3' };
    await a.publish(message).catch(() => undefined);
    const b = createHub({ bus: logs.fleeting('c') });
    const onB = await openReader((await serveHub(b, cleanup)).url, cleanup);
    const retry = await b.publish(message);
    // B never saw the first append: it cannot know the second is a repeat.
    expect(retry.duplicate).toBe(false);
    await onB.waitForEvents(1);
    await a.publish({ data: 'marker' });
    await onA.waitForEvents(2);
    // A saw both: its streams get the message once.
    expect(onA.events.map((e) => e.data)).toEqual(['"hi"', '"marker"']);
    expect(a.stats().idempotency.dropped).toBe(1);
  });
});

describe('keyed publishes under way on one instance', () => {
  it('send once: concurrent calls with one key wait for the first and share its id', async () => {
    const inner = createMemoryBus();
    const bus = counting(inner);
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const publishOnce = bus.publishOnce!;
    bus.publishOnce = async (payload, options) => {
      await gate;
      return publishOnce(payload, options);
    };
    const hub = createHub({ bus });
    await hub.ready();
    const all = Array.from({ length: 5 }, (_, i) =>
      hub.publish({ data: i, idempotencyKey: 'same' }),
    );
    release();
    const receipts = await Promise.all(all);
    expect(new Set(receipts.map((r) => r.id)).size).toBe(1);
    expect(receipts.map((r) => r.duplicate)).toEqual([false, true, true, true, true]);
    expect(bus.calls).toEqual(['publishOnce']);
    await hub.shutdown({ announce: false });
  });

  it('when the first fails, the next one sends for itself', async () => {
    const bus = counting(createMemoryBus());
    const publishOnce = bus.publishOnce!;
    let failNext = true;
    bus.publishOnce = async (payload, options) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (failNext) {
        failNext = false;
        throw new SseError('SSE_BUS_UNAVAILABLE', 'refused before it was appended');
      }
      return publishOnce(payload, options);
    };
    const hub = createHub({ bus });
    hub.on('error', () => undefined);
    await hub.ready();
    const [first, second] = await Promise.allSettled([
      hub.publish({ data: 'a', idempotencyKey: 'k' }),
      hub.publish({ data: 'b', idempotencyKey: 'k' }),
    ]);
    expect(first.status).toBe('rejected');
    expect(second).toMatchObject({ status: 'fulfilled', value: { duplicate: false } });
    // The failing attempt never reached the (counted) bus; the second did, once.
    expect(bus.calls).toEqual(['publishOnce']);
    await hub.shutdown({ announce: false });
  });
});

describe('a bus wrapper that does not pass publishOnce on', () => {
  it('still gets keys honoured: the hub filters', async () => {
    const inner = createMemoryBus();
    const wrapped: Bus = {
      kind: 'wrapper',
      retainsHistory: false,
      deduplicates: true,
      start: (listener, options) => inner.start(listener, options),
      publish: (payload) => inner.publish(payload),
      close: () => inner.close(),
    };
    const hub = createHub({ bus: wrapped });
    const first = await hub.publish({ data: 1, idempotencyKey: 'k' });
    expect(await hub.publish({ data: 2, idempotencyKey: 'k' })).toEqual({
      id: first.id,
      localRecipients: 0,
      duplicate: true,
    });
    await hub.shutdown({ announce: false });
  });
});
