import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/app.js';
import { launchBrowser, openAs, send, shownTexts, shownUsers, type UserPage } from './browser.js';
import { login, postJson, startTestServer } from './helpers.js';

const XSS = '<img src=x onerror=alert(1)>';
const SCREENSHOT = fileURLToPath(new URL('../docs/screenshot.png', import.meta.url));

let server: ChatServer;
let browser: Browser;
let alice: UserPage;
let bob: UserPage;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the chat page, two users', () => {
  it('shows messages live in both pages, presence, and history on join', async () => {
    alice = await openAs(browser, server.url, 'alice');
    await send(alice.page, 'Hi, anyone around?');
    await expect.poll(() => shownTexts(alice.page)).toEqual(['Hi, anyone around?']);
    await expect.poll(() => shownUsers(alice.page)).toEqual(['alice']);

    // Bob joins later and sees the history through the hub's replay.
    bob = await openAs(browser, server.url, 'bob');
    await expect.poll(() => shownTexts(bob.page)).toEqual(['Hi, anyone around?']);
    await expect.poll(() => shownUsers(bob.page)).toEqual(['alice', 'bob']);
    await expect.poll(() => shownUsers(alice.page)).toEqual(['alice', 'bob']);

    await send(bob.page, 'Hello Alice! Streaming over SSE here.');
    const both = ['Hi, anyone around?', 'Hello Alice! Streaming over SSE here.'];
    await expect.poll(() => shownTexts(alice.page)).toEqual(both);
    await expect.poll(() => shownTexts(bob.page)).toEqual(both);
    // The author shown comes from the session.
    const authors = await alice.page.$$eval('#messages .msg .author', (n) =>
      n.map((x) => x.textContent),
    );
    expect(authors).toEqual(['alice', 'bob']);
  });

  it('renders HTML in messages as inert text', async () => {
    await send(bob.page, XSS);
    await expect.poll(async () => (await shownTexts(alice.page)).at(-1)).toBe(XSS);
    expect(await alice.page.locator('#messages img').count()).toBe(0);
    expect(await bob.page.locator('#messages img').count()).toBe(0);
    expect(alice.dialogs).toEqual([]);
    expect(bob.dialogs).toEqual([]);
  });

  it('recovers after the streams drop, with no message lost or shown twice', async () => {
    const carol = await login(server.url, 'carol');
    // Cut every stream from the server side; the pages reconnect with their Last-Event-ID.
    for (const connection of server.hub.roomConnections('lobby')) connection.close();
    const sent = ['while you were away 1', 'while you were away 2', 'while you were away 3'];
    for (const text of sent) {
      expect((await postJson(`${server.url}/rooms/lobby/messages`, { text }, carol)).status).toBe(
        201,
      );
    }
    for (const user of [alice, bob]) {
      await expect
        .poll(async () => (await shownTexts(user.page)).slice(-3), { timeout: 10_000 })
        .toEqual(sent);
      const texts = await shownTexts(user.page);
      expect(new Set(texts).size).toBe(texts.length);
      await expect.poll(() => user.page.getAttribute('#conn', 'data-state')).toBe('live');
    }
  });

  it('joins a second room and keeps rooms apart', async () => {
    await alice.page.fill('#join-room', 'random');
    await alice.page.click('#join-form button');
    await expect.poll(() => alice.page.textContent('#room-title')).toBe('#random');
    await expect.poll(() => alice.page.getAttribute('#conn', 'data-state')).toBe('live');
    await send(alice.page, 'Anyone into SSE trivia?');
    await expect.poll(() => shownTexts(alice.page)).toEqual(['Anyone into SSE trivia?']);
    // Bob's lobby view did not get it.
    expect(await shownTexts(bob.page)).not.toContain('Anyone into SSE trivia?');
    await alice.page.click('#rooms li:first-child button');
    await expect.poll(() => alice.page.textContent('#room-title')).toBe('#lobby');
  });

  it('takes a screenshot for the README', async () => {
    await send(alice.page, 'Looks good. History, presence and reconnects all work.');
    await expect
      .poll(async () => (await shownTexts(bob.page)).at(-1))
      .toBe('Looks good. History, presence and reconnects all work.');
    mkdirSync(fileURLToPath(new URL('../docs/', import.meta.url)), { recursive: true });
    await bob.page.screenshot({ path: SCREENSHOT });
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
