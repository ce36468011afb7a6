import { afterEach, describe, expect, it } from 'vitest';
import { createHub, isSseError } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('control operations on one hub', () => {
  it('a join never bypasses an authorize hook unless the app says so', async () => {
    const guarded = createHub({ authorize: () => true });
    cleanup.add(() => guarded.shutdown({ announce: false, graceMs: 0 }));
    const refused = await rejection(guarded.control.join({ user: 'eve' }, 'vault'));
    expect(isSseError(refused, 'SSE_FORBIDDEN')).toBe(true);
    expect((refused as Error).message).toMatch(/authorizeJoin|trusted/);
    await expect(
      guarded.control.join({ user: 'eve' }, 'vault', { trusted: true }),
    ).resolves.toEqual({ id: expect.any(String), localStreams: 0 });

    const asked: string[] = [];
    const checked = createHub({
      authorize: () => true,
      authorizeJoin: ({ room }) => {
        asked.push(room);
        return room !== 'vault';
      },
    });
    cleanup.add(() => checked.shutdown({ announce: false, graceMs: 0 }));
    expect(
      isSseError(await rejection(checked.control.join({ user: 'eve' }, 'vault')), 'SSE_FORBIDDEN'),
    ).toBe(true);
    await checked.control.join({ user: 'eve' }, 'lobby');
    expect(asked).toEqual(['vault', 'lobby']);
  });

  it('rejects bad targets and options with typed errors, before anything is sent', async () => {
    const hub = createHub();
    cleanup.add(() => hub.shutdown({ announce: false, graceMs: 0 }));
    const published = hub.stats().messagesIn;
    const cases: [Promise<unknown>, string][] = [
      [hub.control.disconnect('all' as never), 'SSE_INVALID_TARGET'],
      [hub.control.join({ room: 'x' } as never, 'y'), 'SSE_INVALID_TARGET'],
      [hub.control.leave({ user: '' }, 'y'), 'SSE_INVALID_TARGET'],
      [hub.control.join({ user: 'u' }, ''), 'SSE_INVALID_FIELD'],
      [hub.control.disconnect({ user: 'u' }, { reason: 'x'.repeat(300) }), 'SSE_INVALID_FIELD'],
      [hub.control.disconnect({ user: 'u' }, { banMs: -1 }), 'SSE_INVALID_FIELD'],
    ];
    for (const [promise, code] of cases)
      expect(isSseError(await rejection(promise), code as never), code).toBe(true);
    expect(hub.stats().messagesIn).toBe(published);
  });

  it('the receipt counts the local streams it changed; a ban is refused with 204 and no body', async () => {
    const hub = createHub();
    hub.on('error', () => undefined);
    const server = await serveHub(hub, cleanup);
    await openReader(`${server.url}/?user=mallory&room=a`, cleanup);
    await openReader(`${server.url}/?user=mallory&room=b`, cleanup);
    await waitFor(() => hub.stats().connections === 2, 2000, 'two streams');
    expect((await hub.control.leave({ user: 'mallory' }, 'a')).localStreams).toBe(1);
    const kicked = await hub.control.disconnect(
      { user: 'mallory' },
      { reconnect: false, banMs: 60_000 },
    );
    expect(kicked.localStreams).toBe(2);
    await waitFor(() => hub.stats().connections === 0, 2000, 'both streams to end');
    const refused = await fetch(`${server.url}/?user=mallory`);
    expect(refused.status).toBe(204);
    expect(await refused.text()).toBe('');
    const other = await openReader(`${server.url}/?user=trent`, cleanup);
    expect(other.status).toBe(200);
  });
});
