import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/app.js';
import { launchBrowser, openAs, send, shownTexts } from './browser.js';
import { startTestServer } from './helpers.js';

let server: ChatServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the page sends each message with an Idempotency-Key', () => {
  it('retries a send whose answer never came with the same key: published once, shown once', async () => {
    const { page, errors } = await openAs(browser, server.url, 'rita');
    const keys: string[] = [];
    let dropped = false;
    await page.route('**/rooms/*/messages', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '(none)');
      if (dropped) return route.continue();
      dropped = true;
      // The server gets the post and publishes it; the page never hears back.
      const answer = await route.fetch();
      expect(answer.status()).toBe(201);
      await route.abort('connectionreset');
    });
    const repeats = server.hub.stats().idempotency.repeats;

    await send(page, 'only once, please');
    await expect.poll(() => shownTexts(page)).toEqual(['only once, please']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    // The server answered the retry as the repeat it was.
    expect(server.hub.stats().idempotency.repeats).toBe(repeats + 1);

    // The next message is a new one, with a new key.
    await send(page, 'and another');
    await expect.poll(() => shownTexts(page)).toEqual(['only once, please', 'and another']);
    expect(keys).toHaveLength(3);
    expect(keys[2]).not.toBe(keys[0]);
    expect(errors).toEqual([]);
  });
});
