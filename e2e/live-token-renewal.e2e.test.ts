/**
 * A live-class socket lives as long as its token: the browser hands the server each renewed
 * access token (session:refresh), so the same socket stays in the class past the first
 * token's expiry instead of being dropped and reconnected.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, newContext, recordPageErrors } from './browser.js';
import { startServer, type E2eServer } from './harness.js';

const TTL_SECONDS = 30;
let server: E2eServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ ACCESS_TOKEN_TTL: String(TTL_SECONDS) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('keeps the same socket past the expiry of the token it opened with', async () => {
  const t = await server.api('POST', '/api/auth/signup', {
    email: 'teacher@example.org',
    password: 'long password',
    displayName: 'Teacher',
    role: 'teacher',
  });
  const c = await server.api('POST', '/api/classes', { title: 'Long lesson' }, t.accessToken);
  const page = await (await newContext(browser, server.baseUrl)).newPage();
  const errors = recordPageErrors(page);
  await logIn(page, 'teacher@example.org');
  await page.goto(`/classes/${c.class.id}`);
  await page.getByTestId('join-live').click();
  const room = page.locator('[data-testid="live-room"][data-status="joined"]');
  await room.waitFor({ timeout: 30_000 });
  const socketId = () =>
    page.evaluate(
      () => (window.educloudLive as unknown as { socket: { id: string } } | undefined)?.socket.id,
    );
  const first = await socketId();
  expect(first).toBeTruthy();
  const openedAt = Date.now();
  // Past the first token's expiry (it was issued a little before openedAt).
  await page.waitForTimeout(TTL_SECONDS * 1000 + 8000);
  expect(Date.now() - openedAt).toBeGreaterThan(TTL_SECONDS * 1000);

  await room.waitFor({ timeout: 5000 });
  expect(await socketId()).toBe(first);
  expect(errors).toEqual([]);
});
