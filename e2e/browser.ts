import chromiumFlags from './chromium-flags.json' with { type: 'json' };
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { nameTracedContext, traceContext } from './failure-report.js';

/**
 * Debian's Chromium, headless, with fake camera/microphone so media tests need no devices and
 * nothing that phones home (sync, component updates, background networking).
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumFlags,
  });
}

/**
 * A fresh profile (cookies, storage) that may read and write the clipboard on `baseUrl`. Every
 * e2e context is made here so that a failed test can report what it did (failure-report.ts).
 */
export async function newContext(
  browser: Browser,
  baseUrl: string,
  viewport = { width: 1280, height: 900 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  traceContext(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  return context;
}

/**
 * Records every request of the context's pages that goes to a host other than 127.0.0.1
 * (CDN fonts, icons, analytics...). data: and blob: URLs never leave the browser and are skipped.
 */
export function recordForeignRequests(context: BrowserContext): string[] {
  const foreign: string[] = [];
  context.on('request', (req) => {
    const url = new URL(req.url());
    if (!/^(https?|wss?):$/.test(url.protocol)) return;
    if (url.hostname !== '127.0.0.1') foreign.push(req.url());
  });
  return foreign;
}

/** Uncaught exceptions and console errors of a page, to assert the UI ran cleanly. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/**
 * The errors of `recordPageErrors` that no test expects. Expected: resources the tests make fail
 * on purpose (refused requests), and a WebSocket (Socket.IO or collab) the page itself closed
 * before it opened, as React does when a component unmounts while connecting. Any other
 * WebSocket failure (a refused upgrade, a dropped connection) counts.
 */
export function unexpectedPageErrors(errors: string[]): string[] {
  const expected = [
    /^console: Failed to load resource: /,
    /^console: WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/(socket\.io|collab)\/[^']*' failed: WebSocket is closed before the connection is established\.$/,
  ];
  return errors.filter((e) => !expected.some((re) => re.test(e)));
}

/** Logs a page in through the real login form and waits for the dashboard. */
export async function logIn(page: Page, email: string, password = 'long password') {
  nameTracedContext(page.context(), email);
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard-title').waitFor();
}
