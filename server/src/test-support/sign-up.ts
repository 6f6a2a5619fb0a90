import type { TestServer } from './test-server.js';

/** Signs an account up through the HTTP API, as the web client does; its name is the email's local part. */
export async function signUp(s: TestServer, email: string, role: 'teacher' | 'student') {
  const r = await s.call('POST', '/api/auth/signup', {
    body: { email, password: 'longenough', displayName: email.split('@')[0], role },
  });
  return { token: r.body.accessToken as string, userId: r.body.user.id as string };
}
