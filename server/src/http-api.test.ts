import { SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-server.js';

let s: TestServer;

async function signup(email: string, role: 'teacher' | 'student', displayName = email) {
  const r = await s.call('POST', '/api/auth/signup', {
    body: { email, password: 'correct horse', displayName, role },
  });
  expect(r.status).toBe(201);
  return r.body as {
    accessToken: string;
    refreshToken: string;
    user: { id: string; role: string };
  };
}

async function count(table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(s.db);
  return Number(r.rows[0]?.n);
}

async function snapshot() {
  const tables = ['users', 'refresh_tokens', 'classes', 'class_members'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)])));
}

let admin: Awaited<ReturnType<typeof signup>>;
let teacher: Awaited<ReturnType<typeof signup>>;
let otherTeacher: Awaited<ReturnType<typeof signup>>;
let student: Awaited<ReturnType<typeof signup>>;
let classId: string;
let inviteUrl: string;

beforeAll(async () => {
  s = await startTestServer();
  admin = await signup('admin@school.test', 'teacher', 'Ada Admin');
  teacher = await signup('teacher@school.test', 'teacher', 'Tom Teacher');
  otherTeacher = await signup('other@school.test', 'teacher', 'Olga Other');
  student = await signup('student@school.test', 'student', 'Sam Student');
  const r = await s.call('POST', '/api/classes', {
    token: teacher.accessToken,
    body: {
      title: 'Physics 101',
      description: 'Waves',
      scheduledStart: '2026-12-01T09:00:00Z',
      scheduledEnd: '2026-12-01T10:00:00Z',
    },
  });
  expect(r.status).toBe(201);
  classId = r.body.class.id;
  inviteUrl = r.body.class.inviteUrl;
});
afterAll(() => s.stop());

const inviteCode = () => inviteUrl.split('/join/')[1]!;

describe('service endpoints', () => {
  it('answers health and the OpenAPI document, and keeps metrics off the public port', async () => {
    expect(await s.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    // Without METRICS_TOKEN there are no metrics here (observability.test.ts covers them).
    const metrics = await s.call('GET', '/metrics');
    expect(metrics.status).toBe(404);
    expect(String(metrics.body)).not.toContain('educloud_');
    const doc = await s.call('GET', '/api/openapi.json');
    expect(doc.body.openapi).toBe('3.0.3');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/signup',
        '/api/classes/{id}',
        '/api/invites/{code}/guest',
      ]),
    );
    const signupBody =
      doc.body.paths['/api/auth/signup'].post.requestBody.content['application/json'];
    expect(signupBody.schema.required).toEqual(expect.arrayContaining(['email', 'password']));
  });

  it('sets security headers and a request id', async () => {
    const r = await s.call('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(r.headers.get('x-request-id')).toBe('trace-123');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const r = await s.call('GET', '/api/nope');
    expect(r).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});

describe('accounts', () => {
  it('makes the first account admin and later ones what they asked for', () => {
    expect(admin.user.role).toBe('admin');
    expect(teacher.user.role).toBe('teacher');
    expect(student.user.role).toBe('student');
  });

  it('rejects malformed sign-ups with field errors and writes nothing', async () => {
    const before = await snapshot();
    const cases: unknown[] = [
      {},
      { email: 'x@y.z' },
      { email: 'not-an-email', password: 'longenough', displayName: 'X' },
      { email: 'x@y.test', password: 'short', displayName: 'X' },
      { email: 'x@y.test', password: 12345678, displayName: 'X' },
      { email: 'x@y.test', password: 'longenough', displayName: '' },
      { email: 'x@y.test', password: 'longenough', displayName: 'X', role: 'admin' },
      { email: 'x@y.test', password: 'longenough', displayName: 'X', extra: true },
      [],
      'text',
    ];
    for (const body of cases) {
      const r = await s.call('POST', '/api/auth/signup', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.fields.length).toBeGreaterThan(0);
    }
    const r = await s.call('POST', '/api/auth/signup', {
      body: { email: 'x@y.test', password: 'short', displayName: 'X' },
    });
    expect(r.body.error.fields).toEqual([
      { path: 'body.password', message: 'must be at least 8 characters' },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects broken JSON, other media types and oversized bodies', async () => {
    const before = await snapshot();
    const broken = await s.call('POST', '/api/auth/login', {
      raw: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    const form = await s.call('POST', '/api/auth/login', {
      raw: 'email=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_media_type' } },
    });
    const huge = await s.call('POST', '/api/auth/signup', {
      body: { email: 'big@y.test', password: 'longenough', displayName: 'x'.repeat(400_000) },
    });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a second account with the same email', async () => {
    const r = await s.call('POST', '/api/auth/signup', {
      body: { email: 'TEACHER@school.test', password: 'whatever1', displayName: 'Dup' },
    });
    expect(r).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
  });

  it('logs in, refreshes with rotation and logs out', async () => {
    const bad = await s.call('POST', '/api/auth/login', {
      body: { email: 'teacher@school.test', password: 'wrong password' },
    });
    expect(bad).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    const unknown = await s.call('POST', '/api/auth/login', {
      body: { email: 'nobody@school.test', password: 'wrong password' },
    });
    expect(unknown.body.error.message).toBe(bad.body.error.message);

    // Its own account: replaying a rotated refresh token ends the account's access tokens,
    // which the shared fixtures must keep.
    await signup('rotation@school.test', 'teacher');
    const login = await s.call('POST', '/api/auth/login', {
      body: { email: 'Rotation@School.test', password: 'correct horse' },
    });
    expect(login.status).toBe(200);
    const me = await s.call('GET', '/api/me', { token: login.body.accessToken });
    expect(me.body.user).toMatchObject({ email: 'rotation@school.test', role: 'teacher' });

    const refreshed = await s.call('POST', '/api/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
    const reused = await s.call('POST', '/api/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(reused.status).toBe(401);

    expect(
      (
        await s.call('POST', '/api/auth/logout', {
          body: { refreshToken: refreshed.body.refreshToken },
        })
      ).status,
    ).toBe(204);
    const afterLogout = await s.call('POST', '/api/auth/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    expect(afterLogout).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
  });

  it('rejects missing, forged and tampered tokens', async () => {
    expect((await s.call('GET', '/api/me')).status).toBe(401);
    const forged = await new SignJWT({ typ: 'access', role: 'admin', name: 'Mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('educloud-live')
      .setSubject(admin.user.id)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-secret-that-is-long-enough'));
    const r = await s.call('GET', '/api/users', { token: forged });
    expect(r).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    const [h, , sig] = admin.accessToken.split('.');
    const claims = Buffer.from(
      JSON.stringify({
        typ: 'access',
        role: 'admin',
        name: 'x',
        sub: student.user.id,
        iss: 'educloud-live',
        exp: 9999999999,
      }),
    ).toString('base64url');
    expect((await s.call('GET', '/api/me', { token: `${h}.${claims}.${sig}` })).status).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${claims}.`;
    expect((await s.call('GET', '/api/me', { token: none })).status).toBe(401);
  });

  it('lets only admins list accounts and change roles', async () => {
    expect((await s.call('GET', '/api/users', { token: teacher.accessToken })).status).toBe(403);
    const list = await s.call('GET', '/api/users', { token: admin.accessToken });
    expect(list.body.users.map((u: { email: string }) => u.email)).toContain('student@school.test');
    const bad = await s.call('PATCH', `/api/users/${student.user.id}/role`, {
      token: admin.accessToken,
      body: { role: 'superuser' },
    });
    expect(bad.status).toBe(400);
    const self = await s.call('PATCH', `/api/users/${admin.user.id}/role`, {
      token: admin.accessToken,
      body: { role: 'student' },
    });
    expect(self.status).toBe(409);
    const denied = await s.call('PATCH', `/api/users/${student.user.id}/role`, {
      token: student.accessToken,
      body: { role: 'admin' },
    });
    expect(denied.status).toBe(403);
  });
});

describe('classes', () => {
  it('lists a teacher their classes with the invite link', async () => {
    const r = await s.call('GET', '/api/classes', { token: teacher.accessToken });
    expect(r.body.classes).toHaveLength(1);
    expect(r.body.classes[0]).toMatchObject({ title: 'Physics 101', myRole: 'teacher' });
    expect(r.body.classes[0].inviteUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/join\/[\w-]{24}$/);
  });

  it('refuses class creation by students and bad class bodies, writing nothing', async () => {
    const before = await snapshot();
    const byStudent = await s.call('POST', '/api/classes', {
      token: student.accessToken,
      body: { title: 'Mine' },
    });
    expect(byStudent).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const noAuth = await s.call('POST', '/api/classes', { body: { title: 'Mine' } });
    expect(noAuth.status).toBe(401);
    for (const body of [
      {},
      { title: '' },
      { title: 42 },
      { title: 'x', scheduledStart: 'tomorrow' },
      { title: 'x', scheduledStart: '2026-12-02T10:00:00Z', scheduledEnd: '2026-12-02T09:00:00Z' },
      { title: 'x'.repeat(201) },
    ]) {
      const r = await s.call('POST', '/api/classes', { token: teacher.accessToken, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.fields.length).toBeGreaterThan(0);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('keeps other teachers and students out of a class they do not teach', async () => {
    const before = await snapshot();
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/classes/${classId}`],
      ['PATCH', `/api/classes/${classId}`, { title: 'Hijacked' }],
      ['DELETE', `/api/classes/${classId}`],
      ['GET', `/api/classes/${classId}/roster`],
      ['GET', `/api/classes/${classId}/stream-key`],
      ['POST', `/api/classes/${classId}/stream-key`],
      ['POST', `/api/classes/${classId}/invite`],
      ['DELETE', `/api/classes/${classId}/invite`],
    ];
    for (const [method, url, body] of attempts) {
      for (const who of [otherTeacher, student]) {
        const r = await s.call(method, url, { token: who.accessToken, body });
        expect(r.status, `${method} ${url}`).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
      }
    }
    const still = await s.call('GET', `/api/classes/${classId}`, { token: teacher.accessToken });
    expect(still.body.class.title).toBe('Physics 101');
    expect(await snapshot()).toEqual(before);
  });

  it('answers 404 for unknown classes and 400 for malformed ids', async () => {
    const unknown = await s.call('GET', '/api/classes/00000000-0000-4000-8000-000000000000', {
      token: teacher.accessToken,
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const malformed = await s.call('GET', '/api/classes/not-a-uuid', {
      token: teacher.accessToken,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.fields[0].path).toBe('params.id');
  });

  it('edits and deletes a class', async () => {
    const created = await s.call('POST', '/api/classes', {
      token: teacher.accessToken,
      body: { title: 'Temporary' },
    });
    const id = created.body.class.id;
    const edited = await s.call('PATCH', `/api/classes/${id}`, {
      token: teacher.accessToken,
      body: { title: 'Chemistry', scheduledStart: '2026-12-03T09:00:00+01:00' },
    });
    expect(edited.body.class).toMatchObject({
      title: 'Chemistry',
      scheduledStart: '2026-12-03T09:00:00+01:00',
    });
    const empty = await s.call('PATCH', `/api/classes/${id}`, {
      token: teacher.accessToken,
      body: {},
    });
    expect(empty.status).toBe(400);
    const backwards = await s.call('PATCH', `/api/classes/${id}`, {
      token: teacher.accessToken,
      body: { scheduledEnd: '2026-12-03T07:00:00Z' },
    });
    expect(backwards.status).toBe(400);
    expect(
      (await s.call('DELETE', `/api/classes/${id}`, { token: teacher.accessToken })).status,
    ).toBe(204);
    expect((await s.call('GET', `/api/classes/${id}`, { token: teacher.accessToken })).status).toBe(
      404,
    );
  });
});

describe('invites and guests', () => {
  it('previews an invite and lets a student join with an account', async () => {
    const preview = await s.call('GET', `/api/invites/${inviteCode()}`);
    expect(preview.body.class).toMatchObject({ id: classId, title: 'Physics 101' });
    expect(preview.body.class.inviteUrl).toBeUndefined();
    const joined = await s.call('POST', `/api/invites/${inviteCode()}/join`, {
      token: student.accessToken,
    });
    expect(joined.body.class).toMatchObject({ id: classId, myRole: 'student' });
    expect(joined.body.class.inviteUrl).toBeUndefined();
    const mine = await s.call('GET', '/api/classes', { token: student.accessToken });
    expect(mine.body.classes.map((c: { id: string }) => c.id)).toEqual([classId]);
    // A student member still may not act as a teacher.
    const edit = await s.call('PATCH', `/api/classes/${classId}`, {
      token: student.accessToken,
      body: { title: 'Mine now' },
    });
    expect(edit.status).toBe(403);
  });

  it('gives a guest a token scoped to that one class', async () => {
    const bad = await s.call('POST', `/api/invites/${inviteCode()}/guest`, {
      body: { displayName: '  ' },
    });
    expect(bad.status).toBe(400);
    const r = await s.call('POST', `/api/invites/${inviteCode()}/guest`, {
      body: { displayName: 'Gina Guest' },
    });
    expect(r.status).toBe(201);
    const guest = r.body.guestToken as string;
    expect(
      (await s.call('GET', `/api/classes/${classId}`, { token: guest })).body.class.myRole,
    ).toBe('student');
    expect((await s.call('GET', '/api/me', { token: guest })).body.user.role).toBe('guest');
    const other = await s.call('POST', '/api/classes', {
      token: otherTeacher.accessToken,
      body: { title: 'Other' },
    });
    expect(
      (await s.call('GET', `/api/classes/${other.body.class.id}`, { token: guest })).status,
    ).toBe(403);
    expect(
      (await s.call('POST', '/api/classes', { token: guest, body: { title: 'x' } })).status,
    ).toBe(403);
    const roster = await s.call('GET', `/api/classes/${classId}/roster`, {
      token: teacher.accessToken,
    });
    expect(
      roster.body.members.map((m: { user: { displayName: string } }) => m.user.displayName),
    ).toEqual(expect.arrayContaining(['Tom Teacher', 'Sam Student', 'Gina Guest']));
    expect(roster.body.members[0].user.email).toBeUndefined();
  });

  it('stops an invite link when it is revoked or regenerated', async () => {
    const old = inviteCode();
    const revoked = await s.call('DELETE', `/api/classes/${classId}/invite`, {
      token: teacher.accessToken,
    });
    expect(revoked.body).toEqual({ inviteUrl: null });
    expect((await s.call('GET', `/api/invites/${old}`)).status).toBe(404);
    expect(
      (await s.call('POST', `/api/invites/${old}/guest`, { body: { displayName: 'Late' } })).status,
    ).toBe(404);
    const fresh = await s.call('POST', `/api/classes/${classId}/invite`, {
      token: teacher.accessToken,
    });
    inviteUrl = fresh.body.inviteUrl;
    expect(inviteCode()).not.toBe(old);
    expect((await s.call('GET', `/api/invites/${inviteCode()}`)).status).toBe(200);
    expect((await s.call('GET', '/api/invites/short')).status).toBe(400);
  });
});

describe('stream keys', () => {
  it('shows the key to teachers only, verifies it and rotates it', async () => {
    const r = await s.call('GET', `/api/classes/${classId}/stream-key`, {
      token: teacher.accessToken,
    });
    expect(r.body.serverUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:1935\/live$/);
    const key = r.body.streamKey as string;
    const classes = s.signaling.classes;
    expect(await classes.verifyStreamKey(key)).toEqual({ classId });
    expect(await classes.verifyStreamKey(`${key.slice(0, -2)}AA`)).toBeNull();
    expect(await classes.verifyStreamKey('garbage')).toBeNull();
    expect(await classes.verifyStreamKey('')).toBeNull();
    const rotated = await s.call('POST', `/api/classes/${classId}/stream-key`, {
      token: teacher.accessToken,
    });
    expect(rotated.body.streamKey).not.toBe(key);
    expect(await classes.verifyStreamKey(key)).toBeNull();
    expect(await classes.verifyStreamKey(rotated.body.streamKey)).toEqual({ classId });
    // Only the salt is stored, never the key itself.
    const row = await sql<{
      stream_key_salt: string;
    }>`select stream_key_salt from classes where id = ${classId}`.execute(s.db);
    expect(rotated.body.streamKey).not.toContain(row.rows[0]!.stream_key_salt);
  });
});

describe('expiry, limits and restarts', () => {
  it('tells an expired access token apart so the client refreshes', async () => {
    const short = await startTestServer({ ACCESS_TOKEN_TTL: '1' });
    try {
      const r = await short.call('POST', '/api/auth/signup', {
        body: { email: 'e@x.test', password: 'longenough', displayName: 'E' },
      });
      await new Promise((res) => setTimeout(res, 2100));
      const expired = await short.call('GET', '/api/me', { token: r.body.accessToken });
      expect(expired).toMatchObject({ status: 401, body: { error: { code: 'token_expired' } } });
      const refreshed = await short.call('POST', '/api/auth/refresh', {
        body: { refreshToken: r.body.refreshToken },
      });
      expect(
        (await short.call('GET', '/api/me', { token: refreshed.body.accessToken })).status,
      ).toBe(200);
    } finally {
      await short.stop();
    }
  });

  it('hands the operator tldraw licence key to the web client', async () => {
    expect((await s.call('GET', '/api/client-config')).body).toEqual({
      tldrawLicenseKey: null,
      serverFresh: false,
      teacherSignupAllowed: true,
      liveMicsPlayed: 0,
    });
    const licensed = await startTestServer({ TLDRAW_LICENSE_KEY: 'tldraw-key-123' });
    try {
      const r = await licensed.call('GET', '/api/client-config');
      expect(r.body).toEqual({
        tldrawLicenseKey: 'tldraw-key-123',
        serverFresh: true,
        teacherSignupAllowed: true,
        liveMicsPlayed: 0,
      });
    } finally {
      await licensed.stop();
    }
  });

  it('answers CORS preflights only for the configured origins', async () => {
    const cors = await startTestServer({ CORS_ORIGINS: 'https://school.example' });
    try {
      const preflight = (origin: string) =>
        cors.call('OPTIONS', '/api/classes', {
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const allowed = await preflight('https://school.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://school.example');
      const other = await preflight('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.stop();
    }
  });

  it('rate-limits log-in attempts per address', async () => {
    const limited = await startTestServer({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await limited.call('POST', '/api/auth/login', {
          body: { email: 'x@y.test', password: 'whatever1' },
        });
        statuses.push(r.status);
        if (r.status === 429) expect(r.body.error.code).toBe('rate_limited');
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.stop();
    }
  });

  it('keeps accounts, tokens and stream keys across a restart', async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const r = await first.call('POST', '/api/auth/signup', {
      body: { email: 'p@x.test', password: 'longenough', displayName: 'P', role: 'teacher' },
    });
    const c = await first.call('POST', '/api/classes', {
      token: r.body.accessToken,
      body: { title: 'Kept' },
    });
    const key = (
      await first.call('GET', `/api/classes/${c.body.class.id}/stream-key`, {
        token: r.body.accessToken,
      })
    ).body.streamKey;
    await first.close();
    const second = await startTestServer({ DATA_DIR: dataDir });
    try {
      const list = await second.call('GET', '/api/classes', { token: r.body.accessToken });
      expect(list.body.classes.map((x: { title: string }) => x.title)).toEqual(['Kept']);
      expect(await second.signaling.classes.verifyStreamKey(key)).toEqual({
        classId: c.body.class.id,
      });
    } finally {
      await second.stop();
    }
  });
});
