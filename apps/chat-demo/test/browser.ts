import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches Debian's Chromium headless (never a downloaded browser). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A logged-in user's page; `dialogs` counts alert()/confirm() calls (XSS canary). */
export interface UserPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly dialogs: string[];
  readonly errors: string[];
}

/**
 * Opens the chat in a fresh context (its own cookies) and logs in as `name`.
 * @param browser - the browser.
 * @param base - the server (or proxy) URL.
 * @param name - display name.
 */
export async function openAs(
  browser: Browser,
  base: string,
  name: string,
  room?: string,
): Promise<UserPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 680 } });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(room ? `${base}/?room=${room}` : base);
  await page.fill('#name', name);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#chat-view:not([hidden])');
  await expect
    .poll(() => page.getAttribute('#conn', 'data-state'), { timeout: 10_000 })
    .toBe('live');
  return { context, page, dialogs, errors };
}

/** Types and sends a message from the composer. */
export async function send(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await expect.poll(() => page.inputValue('#text'), { timeout: 10_000 }).toBe('');
}

/** Texts of the messages shown, in order. */
export function shownTexts(page: Page): Promise<string[]> {
  return page.$$eval('#messages .msg .body', (nodes) => nodes.map((n) => n.textContent ?? ''));
}

/** Users shown as online. */
export function shownUsers(page: Page): Promise<string[]> {
  return page.$$eval('#presence li', (nodes) => nodes.map((n) => n.textContent ?? ''));
}
