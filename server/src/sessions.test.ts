/**
 * Ending sessions: a replayed refresh token revokes its family, "log out everywhere", password
 * change and role change end the account's other tokens; teacher sign-up is closed once the
 * server has an admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-server.js';

let s: TestServer;
const PASSWORD = 'correct horse';

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; role: string };
}

async function signup(email: string, role: 'teacher' | 'student'): Promise<Session> {
  const r = await s.call('POST', '/api/auth/signup', {
    body: { email, password: PASSWORD, displayName: email.split('@')[0], role },
  });
  expect(r.status).toBe(201);
  return r.body;
}

async function login(email: string, password = PASSWORD): Promise<Session> {
  const r = await s.call('POST', '/api/auth/login', { body: { email, password } });
  expect(r.status).toBe(200);
  return r.body;
}

const refresh = (refreshToken: string) =>
  s.call('POST', '/api/auth/refresh', { body: { refreshToken } });
const me = (token: string) => s.call('GET', '/api/me', { token });

let admin: Session;

beforeAll(async () => {
  s = await startTestServer();
  admin = await signup('admin@x.test', 'teacher');
});
afterAll(() => s.stop());

describe('refresh token reuse', () => {
  it('revokes the whole family when a rotated token is replayed', async () => {
    await signup('victim@x.test', 'student');
    const stolen = await login('victim@x.test');
    const otherDevice = await login('victim@x.test');
    // The legitimate client rotates; the thief later replays the old token.
    const rotated = await refresh(stolen.refreshToken);
    expect(rotated.status).toBe(200);
    const replay = await refresh(stolen.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toMatch(/used twice/);
    // The newer token of that family is dead too: whoever holds it must log in again.
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    // The access token issued from the family stops working at once.
    expect(await me(rotated.body.accessToken)).toMatchObject({
      status: 401,
      body: { error: { code: 'token_expired' } },
    });
    // Another device's session (another family) only has to refresh its access token.
    const other = await refresh(otherDevice.refreshToken);
    expect(other.status).toBe(200);
    expect((await me(other.body.accessToken)).status).toBe(200);
  });

  it('treats a replay after log-out as an ended session, not as theft', async () => {
    await signup('leaver@x.test', 'student');
    const a = await login('leaver@x.test');
    const b = await login('leaver@x.test');
    await s.call('POST', '/api/auth/logout', { body: { refreshToken: a.refreshToken } });
    expect((await refresh(a.refreshToken)).body.error.message).toMatch(/log in again/);
    expect((await refresh(b.refreshToken)).status).toBe(200);
  });
});

describe('log out everywhere', () => {
  it("ends every refresh and access token of the account, and only that account's", async () => {
    await signup('everywhere@x.test', 'student');
    const laptop = await login('everywhere@x.test');
    const phone = await login('everywhere@x.test');
    const bystander = await signup('bystander@x.test', 'student');
    const r = await s.call('POST', '/api/auth/logout-everywhere', { token: laptop.accessToken });
    expect(r.status).toBe(204);
    for (const device of [laptop, phone]) {
      expect((await refresh(device.refreshToken)).status).toBe(401);
      expect((await me(device.accessToken)).status).toBe(401);
    }
    expect((await me(bystander.accessToken)).status).toBe(200);
    expect((await refresh(bystander.refreshToken)).status).toBe(200);
    // Logging in again works.
    expect((await me((await login('everywhere@x.test')).accessToken)).status).toBe(200);
  });

  it('needs an account token', async () => {
    expect((await s.call('POST', '/api/auth/logout-everywhere')).status).toBe(401);
  });
});

describe('password change', () => {
  it('requires the current password and ends the other sessions', async () => {
    await signup('changer@x.test', 'student');
    const here = await login('changer@x.test');
    const elsewhere = await login('changer@x.test');

    const wrong = await s.call('POST', '/api/auth/password', {
      token: here.accessToken,
      body: { currentPassword: 'not it at all', newPassword: 'brand new secret' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.fields).toEqual([{ path: 'currentPassword', message: 'is not right' }]);
    const short = await s.call('POST', '/api/auth/password', {
      token: here.accessToken,
      body: { currentPassword: PASSWORD, newPassword: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.fields[0].path).toBe('body.newPassword');
    // Neither attempt changed anything.
    expect((await me(elsewhere.accessToken)).status).toBe(200);

    const changed = await s.call('POST', '/api/auth/password', {
      token: here.accessToken,
      body: { currentPassword: PASSWORD, newPassword: 'brand new secret' },
    });
    expect(changed.status).toBe(200);
    expect((await me(changed.body.accessToken)).status).toBe(200);
    expect((await refresh(changed.body.refreshToken)).status).toBe(200);
    expect((await refresh(elsewhere.refreshToken)).status).toBe(401);
    expect((await me(elsewhere.accessToken)).status).toBe(401);
    expect((await me(here.accessToken)).status).toBe(401);
    const old = await s.call('POST', '/api/auth/login', {
      body: { email: 'changer@x.test', password: PASSWORD },
    });
    expect(old.status).toBe(401);
    await login('changer@x.test', 'brand new secret');
  });
});

describe('role change by an admin', () => {
  it("ends the account's sessions so no token keeps the old role", async () => {
    const t = await signup('demoted@x.test', 'teacher');
    const r = await s.call('PATCH', `/api/users/${t.user.id}/role`, {
      token: admin.accessToken,
      body: { role: 'student' },
    });
    expect(r.status).toBe(200);
    expect((await me(t.accessToken)).status).toBe(401);
    expect((await refresh(t.refreshToken)).status).toBe(401);
    const again = await login('demoted@x.test');
    expect(again.user.role).toBe('student');
    const create = await s.call('POST', '/api/classes', {
      token: again.accessToken,
      body: { title: 'Not mine to teach' },
    });
    expect(create.status).toBe(403);
  });
});

describe('teacher sign-up', () => {
  it('is open on a fresh server only (the first account becomes admin)', async () => {
    // Unset (the test server's own default is on): the server's default applies.
    const fresh = await startTestServer({ ALLOW_TEACHER_SIGNUP: undefined });
    try {
      expect((await fresh.call('GET', '/api/client-config')).body).toEqual({
        tldrawLicenseKey: null,
        serverFresh: true,
        teacherSignupAllowed: true,
        liveMicsPlayed: 0,
      });
      const first = await fresh.call('POST', '/api/auth/signup', {
        body: { email: 'founder@x.test', password: PASSWORD, displayName: 'F', role: 'teacher' },
      });
      expect(first.status).toBe(201);
      expect(first.body.user.role).toBe('admin');
      expect((await fresh.call('GET', '/api/client-config')).body).toEqual({
        tldrawLicenseKey: null,
        serverFresh: false,
        teacherSignupAllowed: false,
        liveMicsPlayed: 0,
      });
      const teacher = await fresh.call('POST', '/api/auth/signup', {
        body: { email: 'would-be@x.test', password: PASSWORD, displayName: 'W', role: 'teacher' },
      });
      expect(teacher.status).toBe(403);
      expect(teacher.body.error.message).toMatch(/administrator/);
      const student = await fresh.call('POST', '/api/auth/signup', {
        body: { email: 'pupil@x.test', password: PASSWORD, displayName: 'P', role: 'student' },
      });
      expect(student.status).toBe(201);
      expect(student.body.user.role).toBe('student');
    } finally {
      await fresh.stop();
    }
  });

  it('stays open when the operator allows it', async () => {
    expect((await s.call('GET', '/api/client-config')).body.teacherSignupAllowed).toBe(true);
    expect((await signup('allowed@x.test', 'teacher')).user.role).toBe('teacher');
  });
});

describe('API document', () => {
  it('lists the session routes with their validated bodies', async () => {
    const doc = (await s.call('GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/logout-everywhere',
        '/api/auth/password',
        '/api/classes/{id}/members/{userId}',
      ]),
    );
    const body = doc.paths['/api/auth/password'].post.requestBody.content['application/json'];
    expect(body.schema.required).toEqual(['currentPassword', 'newPassword']);
  });
});
