/**
 * A live-class socket stays authorized only while its token and the facts behind it hold:
 * it is closed when the token expires (unless the client sent a fresh one), when its user is
 * removed from the class, changes role or logs out everywhere. Collab sockets close on expiry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LiveClient } from './test-support/live-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

const PASSWORD = 'long enough';
const clients: LiveClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

interface World {
  s: TestServer;
  classId: string;
  admin: { accessToken: string };
  teacher: { accessToken: string };
  inviteCode: string;
}

async function world(env: Record<string, string> = {}): Promise<World> {
  const s = await startTestServer({ RECONNECT_GRACE_MS: '30000', ...env });
  const signup = async (email: string, role: 'teacher' | 'student') => {
    const r = await s.call('POST', '/api/auth/signup', {
      body: { email, password: PASSWORD, displayName: email.split('@')[0], role },
    });
    expect(r.status).toBe(201);
    return r.body;
  };
  const admin = await signup('admin@x.test', 'teacher');
  const teacher = await signup('teacher@x.test', 'teacher');
  const c = await s.call('POST', '/api/classes', {
    token: teacher.accessToken,
    body: { title: 'Live' },
  });
  return {
    s,
    classId: c.body.class.id,
    admin,
    teacher,
    inviteCode: c.body.class.inviteUrl.split('/join/')[1],
  };
}

/** A student account in the class, and a fresh log-in. */
async function student(w: World, email: string) {
  const r = await w.s.call('POST', '/api/auth/signup', {
    body: { email, password: PASSWORD, displayName: email.split('@')[0], role: 'student' },
  });
  expect(r.status).toBe(201);
  const joined = await w.s.call('POST', `/api/invites/${w.inviteCode}/join`, {
    token: r.body.accessToken,
  });
  expect(joined.status).toBe(200);
  return r.body as { accessToken: string; refreshToken: string; user: { id: string } };
}

function live(w: World, token: string) {
  const c = new LiveClient(w.s.port, token);
  clients.push(c);
  return c;
}

const disconnected = (c: LiveClient) =>
  new Promise<string>((resolve) => {
    if (!c.socket.connected) return resolve('already');
    c.socket.once('disconnect', (reason) => resolve(reason));
  });

describe('changes that end a live socket', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(() => w.s.stop());

  async function joinedPair(email: string) {
    const st = await student(w, email);
    const teacher = live(w, w.teacher.accessToken);
    await teacher.connected();
    await teacher.ok('class:join', { classId: w.classId });
    const c = live(w, st.accessToken);
    await c.connected();
    const joined = await c.ok('class:join', { classId: w.classId });
    return { st, teacher, c, peerId: joined.peerId };
  }

  it('removal from the class closes the socket and takes the peer out at once', async () => {
    const { st, teacher, c, peerId } = await joinedPair('removed@x.test');
    const gone = disconnected(c);
    const r = await w.s.call('DELETE', `/api/classes/${w.classId}/members/${st.user.id}`, {
      token: w.teacher.accessToken,
    });
    expect(r.status).toBe(204);
    expect(await c.next('session:revoked')).toEqual({ reason: 'removed_from_class' });
    expect(await gone).toBe('io server disconnect');
    // No reconnect grace for a removed member: the others see them leave now.
    await teacher.next('peer:left', (e: { peerId: string }) => e.peerId === peerId);
    // And they cannot come back in.
    const again = live(w, st.accessToken);
    await again.connected();
    const join = await again.request('class:join', { classId: w.classId });
    expect(join).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('only a teacher of the class removes members', async () => {
    const st = await student(w, 'stays@x.test');
    const other = await student(w, 'other@x.test');
    const r = await w.s.call('DELETE', `/api/classes/${w.classId}/members/${st.user.id}`, {
      token: other.accessToken,
    });
    expect(r.status).toBe(403);
    const missing = await w.s.call(
      'DELETE',
      `/api/classes/${w.classId}/members/00000000-0000-4000-8000-000000000000`,
      { token: w.teacher.accessToken },
    );
    expect(missing.status).toBe(404);
  });

  it('a role change closes the sockets of that account', async () => {
    const { st, c } = await joinedPair('promoted@x.test');
    const gone = disconnected(c);
    const r = await w.s.call('PATCH', `/api/users/${st.user.id}/role`, {
      token: w.admin.accessToken,
      body: { role: 'teacher' },
    });
    expect(r.status).toBe(200);
    expect(await c.next('session:revoked')).toEqual({ reason: 'role_changed' });
    expect(await gone).toBe('io server disconnect');
  });

  it('log out everywhere closes every socket of the account, not the others', async () => {
    const { st, teacher, c } = await joinedPair('leaving@x.test');
    const second = live(w, st.accessToken);
    await second.connected();
    const gone = [disconnected(c), disconnected(second)];
    const r = await w.s.call('POST', '/api/auth/logout-everywhere', { token: st.accessToken });
    expect(r.status).toBe(204);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(c.seen('session:revoked')).toEqual([{ reason: 'logged_out_everywhere' }]);
    expect(teacher.socket.connected).toBe(true);
    expect((await teacher.request('hand:set', { raised: true })).ok).toBe(true);
    // The old token no longer opens a socket.
    await expect(live(w, st.accessToken).connected()).rejects.toThrow(/unauthorized/);
  });

  it('removal from the class and log out everywhere close whiteboard/notes sockets', async () => {
    const removed = await student(w, 'scribe@x.test');
    const leaving = await student(w, 'writer@x.test');
    const stays = await student(w, 'reader@x.test');
    /** Opens the class notes; resolves once open with the promise of the close. */
    const open = async (token: string) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${w.s.port}/collab/class/${w.classId}/notes?token=${token}`,
      );
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return { ws, closed };
    };
    const a = await open(removed.accessToken);
    const b = await open(leaving.accessToken);
    const c = await open(stays.accessToken);
    const removal = await w.s.call(
      'DELETE',
      `/api/classes/${w.classId}/members/${removed.user.id}`,
      {
        token: w.teacher.accessToken,
      },
    );
    expect(removal.status).toBe(204);
    expect(await a.closed).toEqual({ code: 4403, reason: 'session revoked' });
    const logout = await w.s.call('POST', '/api/auth/logout-everywhere', {
      token: leaving.accessToken,
    });
    expect(logout.status).toBe(204);
    expect(await b.closed).toEqual({ code: 4403, reason: 'session revoked' });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
  });

  it('deleting the class closes the sockets in it', async () => {
    const { c } = await joinedPair('deleted@x.test');
    const gone = disconnected(c);
    const r = await w.s.call('DELETE', `/api/classes/${w.classId}`, {
      token: w.teacher.accessToken,
    });
    expect(r.status).toBe(204);
    expect(await c.next('session:revoked')).toEqual({ reason: 'class_deleted' });
    expect(await gone).toBe('io server disconnect');
  });
});

describe('token expiry', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ ACCESS_TOKEN_TTL: '6' });
  });
  afterAll(() => w.s.stop());

  const login = async (email: string) => {
    const r = await w.s.call('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(r.status).toBe(200);
    return r.body as { accessToken: string; refreshToken: string; accessTokenExpiresAt: string };
  };

  it('closes a socket whose token expired', async () => {
    await student(w, 'expiring@x.test');
    const session = await login('expiring@x.test');
    const c = live(w, session.accessToken);
    await c.connected();
    await c.ok('class:join', { classId: w.classId });
    const gone = disconnected(c);
    await c.next('session:expired', () => true, 10_000);
    expect(await gone).toBe('io server disconnect');
    // The expiry came at the token's exp, not before.
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(session.accessTokenExpiresAt));
  });

  it('keeps a socket whose client sent a fresh token, and refuses someone else’s', async () => {
    await student(w, 'refreshing@x.test');
    const intruderAccount = await student(w, 'intruder@x.test');
    // Log-ins are slow (argon2) and tokens short here: only the one that matters comes last.
    const session = await login('refreshing@x.test');
    const c = live(w, session.accessToken);
    await c.connected();
    await c.ok('class:join', { classId: w.classId });
    const intruder = await w.s.call('POST', '/api/auth/refresh', {
      body: { refreshToken: intruderAccount.refreshToken },
    });
    expect(await c.request('session:refresh', { token: intruder.body.accessToken })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await c.request('session:refresh', { token: 'garbage' })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    // Tokens expire on whole seconds: a later second gives the new token a later expiry.
    await new Promise((r) => setTimeout(r, 2000));
    const renewed = await w.s.call('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    const ack = await c.ok('session:refresh', { token: renewed.body.accessToken });
    expect(Date.parse(ack.expiresAt)).toBeGreaterThan(Date.parse(session.accessTokenExpiresAt));
    // Past the first token's expiry the socket is still there and still allowed.
    const firstExpiry = Date.parse(session.accessTokenExpiresAt);
    await new Promise((r) => setTimeout(r, Math.max(0, firstExpiry - Date.now()) + 500));
    expect(Date.now()).toBeLessThan(Date.parse(ack.expiresAt));
    expect(c.socket.connected).toBe(true);
    expect(c.seen('session:expired')).toEqual([]);
    expect((await c.request('hand:set', { raised: true })).ok).toBe(true);
  });

  it('closes a collab socket when its token expires', async () => {
    const session = await login('teacher@x.test');
    const ws = new WebSocket(
      `ws://127.0.0.1:${w.s.port}/collab/class/${w.classId}/notes?token=${session.accessToken}`,
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({ code: 4501, reason: 'session expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(session.accessTokenExpiresAt));
  });
});
