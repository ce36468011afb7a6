import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/app.js';
import { launchBrowser, openAs, send, shownTexts, shownUsers, type UserPage } from './browser.js';
import { login, postJson, startTestServer } from './helpers.js';

const XSS = '<img src=x onerror=alert(1)>';
// Written under test-results/ (ignored by git) on every run; into docs/ (the README's
// picture) only with UPDATE_SCREENSHOTS=1, so a test run leaves the tree clean.
const SHOT_DIR = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOTS === '1' ? '../docs/' : '../test-results/',
    import.meta.url,
  ),
);
const SCREENSHOT = `${SHOT_DIR}screenshot.png`;

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

  it('recovers after a server restart that lost its memory, without showing anything twice', async () => {
    const port = Number(new URL(server.url).port);
    const before = await shownTexts(alice.page);
    await server.close();
    await expect
      .poll(() => alice.page.getAttribute('#conn', 'data-state'), { timeout: 10_000 })
      .not.toBe('live');
    // Same port, same session secret, but a new in-process bus: old ids mean nothing now.
    server = await startTestServer({ PORT: String(port) });
    await expect
      .poll(() => alice.page.getAttribute('#conn', 'data-state'), { timeout: 15_000 })
      .toBe('live');
    await expect.poll(() => shownUsers(alice.page), { timeout: 10_000 }).toEqual(['alice', 'bob']);
    // The new server could not resume from the old ids: the page was told (sse-reset).
    expect(await alice.page.textContent('#notice')).toContain('re-syncing history');
    const carol = await login(server.url, 'carol');
    expect(
      (await postJson(`${server.url}/rooms/lobby/messages`, { text: 'after the restart' }, carol))
        .status,
    ).toBe(201);
    for (const user of [alice, bob]) {
      await expect
        .poll(() => shownTexts(user.page), { timeout: 10_000 })
        .toEqual([...before, 'after the restart']);
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
    // Leave #random again: one room, one stream.
    await alice.page.click('#rooms li:nth-child(2) button.leave', { force: true });
    await expect.poll(() => alice.page.$$eval('#rooms li', (n) => n.length)).toBe(1);
    await expect.poll(() => server.hub.roomUsers('random')).toEqual([]);
  });

  it('takes a screenshot for the README', async () => {
    await send(alice.page, 'Looks good. History, presence and reconnects all work.');
    await expect
      .poll(async () => (await shownTexts(bob.page)).at(-1))
      .toBe('Looks good. History, presence and reconnects all work.');
    mkdirSync(SHOT_DIR, { recursive: true });
    // The re-sync notice of the restart test fades 3 s after the stream is live again.
    await expect.poll(() => bob.page.isHidden('#notice'), { timeout: 10_000 }).toBe(true);
    await bob.page.setViewportSize({ width: 1100, height: 760 });
    await bob.page.screenshot({ path: SCREENSHOT });
    await bob.page.setViewportSize({ width: 390, height: 760 });
    await bob.page.screenshot({ path: SCREENSHOT.replace('.png', '-mobile.png') });
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
