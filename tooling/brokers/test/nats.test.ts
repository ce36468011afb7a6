import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type PrivateNats, startPrivateNats } from '../src/index.js';
import { alive, exchange, refused } from './probes.js';

let nats: PrivateNats | undefined;
afterAll(async () => {
  await nats?.dispose();
});

describe('startPrivateNats', () => {
  it('runs JetStream on 127.0.0.1 and a free port; survives kill -9 and a clean restart; dispose removes its store', async () => {
    nats = await startPrivateNats();
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(nats.port).not.toBe(4222);
    // The server greets every client with INFO, which says whether JetStream is on.
    expect(await exchange(nats.port, '', /\r\n/)).toMatch(/^INFO .*"jetstream":true/);
    const pid = nats.pid!;
    await nats.kill();
    expect(alive(pid)).toBe(false);
    expect(await refused(nats.port)).toBe(true);
    await nats.start();
    expect(await exchange(nats.port, '', /\r\n/)).toMatch(/^INFO /);
    await nats.restart();
    expect(await exchange(nats.port, '', /\r\n/)).toMatch(/^INFO /);
    expect(existsSync(nats.dir)).toBe(true);
    await nats.dispose();
    expect(existsSync(nats.dir)).toBe(false);
    expect(nats.pid).toBeUndefined();
  });
});
