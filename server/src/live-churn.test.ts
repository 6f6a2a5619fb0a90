/**
 * Students joining and leaving a live class over and over (a socket, class:join, a receive
 * transport, then class:leave or a dropped socket) leave nothing behind on the server: once
 * the reconnect grace has passed, what the node holds for the class (peers, media budgets,
 * SFU peers and transports, Socket.IO rooms, remembered members, metric series) is back to
 * what it was with the teacher alone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { SignalingTables } from '@educloud/signaling';
import { LiveClient } from './test-support/live-client.js';
import type { Env } from './config.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

const STUDENTS = 10;
const ROUNDS = 6;
const GRACE_MS = 300;
// Where /metrics asks for a token (METRICS_TOKEN), this one opens it.
const METRICS_TOKEN = 'churn-test-metrics-token-0123456789abcdef';

let s: TestServer;
let classId: string;
let teacher: LiveClient;
const guestTokens: string[] = [];

beforeAll(async () => {
  s = await startTestServer({ RECONNECT_GRACE_MS: String(GRACE_MS), METRICS_TOKEN } as Env);
  const t = await s.call('POST', '/api/auth/signup', {
    body: { email: 't@churn.test', password: 'longenough', displayName: 't', role: 'teacher' },
  });
  const c = await s.call('POST', '/api/classes', {
    token: t.body.accessToken,
    body: { title: 'Churn' },
  });
  classId = c.body.class.id;
  const code = c.body.class.inviteUrl.split('/join/')[1];
  for (let i = 0; i < STUDENTS; i++) {
    const g = await s.call('POST', `/api/invites/${code}/guest`, {
      body: { displayName: `g${i}` },
    });
    guestTokens.push(g.body.guestToken);
  }
  teacher = new LiveClient(s.port, t.body.accessToken);
  await teacher.connected();
  await teacher.ok('class:join', { classId });
  await teacher.ok('class:start', {});
});

afterAll(async () => {
  teacher?.close();
  await s?.stop();
});

/** Everything the server keeps that could grow with each join. */
async function holdings() {
  const db = s.db as Kysely<SignalingTables>;
  const members = await db
    .selectFrom('live_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const room = s.sfu.getRoom(classId);
  const metrics = await s.call('GET', '/metrics', {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  return {
    ...(await s.signaling.live.holdings()),
    sfuPeers: room?.peerCount,
    sfuTransports: s.sfu.pool.workers.reduce((n, w) => n + w.counts.transports, 0),
    socketIoRooms: s.signaling.io.of('/').adapter.rooms.size,
    sockets: s.signaling.io.of('/').sockets.size,
    rememberedMembers: Number(members.n),
    // Series of our own metrics (a label set per peer or transport would grow here); the
    // process's default metrics come and go with handle types and are left out.
    metricSeries: String(metrics.body)
      .split('\n')
      .filter((l) => l.startsWith('educloud_') && !l.startsWith('educloud_nodejs_')).length,
  };
}

async function cycle(token: string, leave: boolean) {
  const c = new LiveClient(s.port, token);
  try {
    await c.connected();
    await c.ok('class:join', { classId });
    await c.ok('transport:create', { direction: 'recv' });
    if (leave) await c.ok('class:leave', {});
  } finally {
    c.close();
  }
}

it('leaves nothing behind after students join and leave many times', async () => {
  // One round first: lazily created things (metric label sets, pools) exist from then on.
  await Promise.all(guestTokens.map((t) => cycle(t, true)));
  await expect.poll(async () => (await holdings()).peers, { timeout: 10_000 }).toBe(1);
  const baseline = await holdings();
  // The teacher alone: in the room and remembered, no media yet.
  expect(baseline).toMatchObject({
    rooms: 1,
    peers: 1,
    peerBudgets: 0,
    sfuPeers: 0,
    sfuTransports: 0,
    rememberedMembers: 1,
  });

  for (let round = 0; round < ROUNDS; round++) {
    // Half leave properly, half just drop their socket (kept for the grace period).
    await Promise.all(guestTokens.map((t, i) => cycle(t, (i + round) % 2 === 0)));
  }
  const during = await holdings();
  expect(during.peers).toBeGreaterThan(1); // the dropped ones are still in their grace period

  await expect.poll(async () => (await holdings()).peers, { timeout: 10_000 }).toBe(1);
  expect(await holdings()).toEqual(baseline);
});
