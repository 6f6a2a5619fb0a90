import type { BrowserContext } from 'playwright-core';
import { nameTracedContext } from './failure-report.js';
import type { E2eServer } from './harness.js';

/**
 * Logs a browser context in without the login form: the session the API answers is stored
 * where the web client keeps it (localStorage `educloud.session`), so the first page the
 * context opens is already logged in. For tests that need many logged-in pages on a slow
 * machine (each form login costs two extra page loads); the form itself is tested elsewhere.
 */
export async function logInByApi(
  context: BrowserContext,
  server: E2eServer,
  email: string,
  password = 'long password',
): Promise<void> {
  nameTracedContext(context, email);
  const response = await server.api('POST', '/api/auth/login', { email, password });
  if (!response?.accessToken) throw new Error(`login failed: ${JSON.stringify(response)}`);
  const stored = JSON.stringify({
    response,
    accessExpiresLocalMs: Date.parse(response.accessTokenExpiresAt),
    refreshExpiresLocalMs: Date.parse(response.refreshTokenExpiresAt),
  });
  await context.addInitScript((value) => {
    // Only once: the client replaces it as it refreshes its tokens.
    if (!localStorage.getItem('educloud.session')) localStorage.setItem('educloud.session', value);
  }, stored);
}
