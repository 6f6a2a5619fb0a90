import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveClient } from './test-support/live-client.js';
import { startRedis } from '../../test-support/redis-server.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

let redis: Awaited<ReturnType<typeof startRedis>>;
let a: TestServer;
let b: TestServer;
const clients: LiveClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const shared = { SECRET: 'x'.repeat(40), REDIS_URL: redis.url };
  a = await startTestServer(shared);
  // Same database and secret, another process-like node: what docker-compose.yml deploys.
  b = await startTestServer({ ...shared, DATA_DIR: a.dataDir });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

it('shares class state and broadcasts between two nodes over Redis', async () => {
  const t = await a.call('POST', '/api/auth/signup', {
    body: { email: 't@x.test', password: 'longenough', displayName: 'T', role: 'teacher' },
  });
  const st = await b.call('POST', '/api/auth/signup', {
    body: { email: 's@x.test', password: 'longenough', displayName: 'S', role: 'student' },
  });
  const c = await a.call('POST', '/api/classes', {
    token: t.body.accessToken,
    body: { title: 'Scaled' },
  });
  const classId = c.body.class.id;
  const code = c.body.class.inviteUrl.split('/join/')[1];
  // A token issued by node A is accepted by node B.
  expect(
    (await b.call('POST', `/api/invites/${code}/join`, { token: st.body.accessToken })).status,
  ).toBe(200);

  const teacher = new LiveClient(a.port, t.body.accessToken);
  const student = new LiveClient(b.port, st.body.accessToken);
  clients.push(teacher, student);
  await Promise.all([teacher.connected(), student.connected()]);
  await teacher.ok('class:join', { classId });
  const before = await student.ok('class:join', { classId });
  expect(before.live).toBe(false);
  await teacher.ok('class:start', {});
  // The broadcast from node A reaches the student's socket on node B.
  expect(await student.next('class:live')).toEqual({ live: true });
  const again = new LiveClient(b.port, st.body.accessToken);
  clients.push(again);
  await again.connected();
  expect((await again.ok('class:join', { classId })).live).toBe(true);
});

it("closes a user's sockets on every node when their sessions end", async () => {
  const u = await a.call('POST', '/api/auth/signup', {
    body: { email: 'r@x.test', password: 'longenough', displayName: 'R', role: 'student' },
  });
  const onB = new LiveClient(b.port, u.body.accessToken);
  clients.push(onB);
  await onB.connected();
  const gone = new Promise<string>((resolve) => onB.socket.once('disconnect', resolve));
  // Logged out through node A; the socket lives on node B.
  const r = await a.call('POST', '/api/auth/logout-everywhere', { token: u.body.accessToken });
  expect(r.status).toBe(204);
  expect(await onB.next('session:revoked')).toEqual({ reason: 'logged_out_everywhere' });
  expect(await gone).toBe('io server disconnect');
});
