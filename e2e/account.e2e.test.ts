/**
 * The account page: a fresh server says its first account becomes admin, a password change
 * ends the other browser's session, and "log out everywhere" ends this one.
 *
 * Data-testids: signup-fresh-server, signup-students-only, app-account,
 * account-current-password, account-new-password, account-change-password,
 * account-logout-everywhere (and those listed in class-invite.e2e.test.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, newContext, recordPageErrors } from './browser.js';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  // The operator default: teacher sign-up closed once an admin exists.
  server = await startServer({ ALLOW_TEACHER_SIGNUP: 'false' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('bootstraps the admin, changes the password and logs out everywhere', async () => {
  const baseUrl = server!.baseUrl;
  const here = await (await newContext(browser!, baseUrl)).newPage();
  const errors = recordPageErrors(here);

  await here.goto('/signup');
  await here.getByTestId('signup-fresh-server').waitFor();
  await here.getByTestId('signup-name').fill('Ada Admin');
  await here.getByTestId('signup-email').fill('ada@example.org');
  await here.getByTestId('signup-password').fill('long password');
  await here.getByTestId('signup-submit').click();
  await here.getByTestId('dashboard-title').waitFor();
  expect(await here.getByTestId('app-user-role').textContent()).toBe('Admin');

  // Another browser, same account.
  const elsewhereContext = await newContext(browser!, baseUrl);
  const elsewhere = await elsewhereContext.newPage();
  await logIn(elsewhere, 'ada@example.org');
  // Now that an admin exists, the sign-up page offers student accounts only.
  const visitor = await (await newContext(browser!, baseUrl)).newPage();
  await visitor.goto('/signup');
  await visitor.getByTestId('signup-students-only').waitFor();
  expect(await visitor.getByTestId('signup-role-teacher').isVisible()).toBe(false);

  await here.getByTestId('app-account').click();
  await here.getByTestId('account-current-password').fill('not the password');
  await here.getByTestId('account-new-password').fill('newer password');
  await here.getByTestId('account-change-password').click();
  await expect.poll(() => here.getByTestId('form-error').textContent()).toMatch(/not right/);
  await here.getByTestId('account-current-password').fill('long password');
  await here.getByTestId('account-change-password').click();
  await expect.poll(() => here.getByTestId('snackbar').textContent()).toMatch(/Password changed/);

  // The other browser's session is over: its next request sends it to the log-in page.
  await elsewhere.reload();
  await elsewhere.waitForURL(/\/login/);
  await logIn(elsewhere, 'ada@example.org', 'newer password');

  await here.getByTestId('account-logout-everywhere').click();
  await here.getByTestId('confirm-ok').click();
  await here.waitForURL(/\/login/);
  await elsewhere.reload();
  await elsewhere.waitForURL(/\/login/);
  // Nothing went wrong on the page beyond the refusals asked for above: the wrong current
  // password (403) and the requests of an ended session (401).
  expect(errors.filter((e) => !/status of 40[13] /.test(e))).toEqual([]);
  await elsewhereContext.close();
});
