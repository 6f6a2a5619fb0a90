/**
 * A teacher creates a class and shares its invite link; a guest opens it and lands in the class.
 *
 * Stable data-testids of the web client (web/src) this and later browser tests rely on:
 *   App bar       app-home, app-user-name, app-user-role, theme-toggle, logout
 *   Sign up       signup-name, signup-email, signup-password, signup-role-teacher,
 *                 signup-role-student, signup-submit, signup-to-login
 *   Log in        login-email, login-password, login-submit, login-to-signup, session-expired
 *   Forms         form-error (error summary above a form)
 *   Dashboard     dashboard-title, create-class, teaching-list, attending-list, empty-state
 *   Class dialog  class-form, class-title, class-description, class-start, class-end,
 *                 class-save, class-cancel
 *   Class row     class-row-<title> (data-class-id=<id>) containing: class-link, class-schedule,
 *                 class-edit, class-delete, class-open, invite-url (input), copy-invite,
 *                 invite-regenerate, invite-revoke, invite-off, obs-setup-toggle, roster-open
 *   OBS setup     obs-setup, stream-server-url, stream-server-copy, stream-key-value (input,
 *                 data-masked="true" and bullets until revealed), stream-key-reveal,
 *                 stream-key-copy, stream-key-rotate
 *   Roster        roster, roster-row
 *   Confirm       confirm-dialog, confirm-ok, confirm-cancel
 *   Snackbar      snackbar
 *   Join page     invite-class-title, invite-invalid, join-class, guest-name, guest-join,
 *                 guest-continue, join-login-link, join-signup-link
 *   Class page    class-page-title, class-page-schedule, class-page-description,
 *                 class-error
 *   Live room     device-check, camera-select, preview-video, mic-level, join-live, live-room
 *                 (data-status), live-status, start-class, end-class, toggle-mic,
 *                 toggle-camera, toggle-screen, toggle-hand, leave-live, live-ended,
 *                 tile-self, tile-<name>, screen-stage, screen-video
 *   Not found     not-found
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, recordForeignRequests, recordPageErrors } from './browser.js';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startServer();
  // The first account of an empty server becomes its admin: take that seat so that the account
  // signed up in the UI below is an ordinary teacher.
  const admin = await fetch(`${server.baseUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: 'admin@example.org',
      password: 'admin password 1',
      displayName: 'Admin',
      role: 'teacher',
    }),
  });
  expect(admin.status).toBe(201);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('a teacher shares an invite link and a guest joins the class with it', async () => {
  const baseUrl = server!.baseUrl;
  const title = 'Algebra 101';

  // Teacher: sign up, create a class, copy its invite link.
  const teacherContext = await newContext(browser!, baseUrl);
  const teacherForeign = recordForeignRequests(teacherContext);
  const teacher = await teacherContext.newPage();
  const teacherErrors = recordPageErrors(teacher);

  await teacher.goto('/signup');
  await teacher.getByTestId('signup-role-teacher').check();
  await teacher.getByTestId('signup-name').fill('Ada Lovelace');
  await teacher.getByTestId('signup-email').fill('ada@example.org');
  await teacher.getByTestId('signup-password').fill('correct horse battery');
  await teacher.getByTestId('signup-submit').click();

  await expect
    .poll(() => teacher.getByTestId('dashboard-title').textContent())
    .toBe('Your classes');
  expect(await teacher.getByTestId('app-user-name').textContent()).toBe('Ada Lovelace');
  expect(await teacher.getByTestId('app-user-role').textContent()).toBe('Teacher');

  await teacher.getByTestId('create-class').click();
  await teacher.getByTestId('class-title').fill(title);
  await teacher.getByTestId('class-description').fill('Linear equations, live.');
  await teacher.getByTestId('class-start').fill('2030-01-15T10:00');
  await teacher.getByTestId('class-end').fill('2030-01-15T11:30');
  await teacher.getByTestId('class-save').click();

  const row = teacher.getByTestId(`class-row-${title}`);
  await row.waitFor();
  const classId = await row.getAttribute('data-class-id');
  expect(classId).toBeTruthy();
  expect(await row.getByTestId('class-schedule').textContent()).toContain('2030');

  const shownUrl = await row.getByTestId('invite-url').inputValue();
  expect(shownUrl).toMatch(new RegExp(`^${baseUrl}/join/[A-Za-z0-9_-]{16,64}$`));
  await row.getByTestId('copy-invite').click();
  await expect.poll(() => teacher.getByTestId('snackbar').textContent()).toContain('Copied');
  const copiedUrl = await teacher.evaluate(() => navigator.clipboard.readText());
  expect(copiedUrl).toBe(shownUrl);

  // The OBS panel shows the server URL and a masked key that can be revealed.
  await row.getByTestId('obs-setup-toggle').click();
  const keyInput = row.getByTestId('stream-key-value');
  await keyInput.waitFor();
  expect(await row.getByTestId('stream-server-url').inputValue()).toMatch(/^rtmps?:\/\//);
  expect(await keyInput.getAttribute('data-masked')).toBe('true');
  expect(await keyInput.inputValue()).toMatch(/^•+$/);
  await row.getByTestId('stream-key-reveal').click();
  expect(await keyInput.getAttribute('data-masked')).toBe('false');
  expect(await keyInput.inputValue()).toMatch(/^[^•]{8,}$/);

  // Guest: a separate browser profile opens the link and joins with a name.
  const guestContext = await newContext(browser!, baseUrl);
  const guestForeign = recordForeignRequests(guestContext);
  const guest = await guestContext.newPage();
  const guestErrors = recordPageErrors(guest);

  await guest.goto(copiedUrl);
  await expect.poll(() => guest.getByTestId('invite-class-title').textContent()).toBe(title);
  await guest.getByTestId('guest-name').fill('Grace Guest');
  await guest.getByTestId('guest-join').click();

  await guest.waitForURL(`${baseUrl}/classes/${classId}`);
  await expect.poll(() => guest.getByTestId('class-page-title').textContent()).toBe(title);
  // The guest may enter the live room: the device check is offered.
  await guest.getByTestId('join-live').waitFor();
  expect(await guest.getByTestId('app-user-name').textContent()).toBe('Grace Guest');
  expect(await guest.getByTestId('app-user-role').textContent()).toBe('Guest');

  // A reload keeps the guest in (token in sessionStorage).
  await guest.reload();
  await expect.poll(() => guest.getByTestId('class-page-title').textContent()).toBe(title);

  // The teacher sees the guest on the roster.
  await row.getByTestId('roster-open').click();
  await expect
    .poll(() => teacher.getByTestId('roster-row').allTextContents())
    .toEqual(expect.arrayContaining([expect.stringContaining('Grace Guest')]));

  expect([...teacherForeign, ...guestForeign]).toEqual([]);
  expect([...teacherErrors, ...guestErrors]).toEqual([]);

  await guestContext.close();
  await teacherContext.close();
});
