/**
 * Breakouts that outlive a node: taken up again after a restart (rooms, clock, rule,
 * placements), ended once when two nodes run their clock, and their whiteboards removed with
 * the class. Real servers on one database, real Socket.IO clients, real mediasoup, real Redis.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { breakoutDocumentName, type BreakoutState } from '@educloud/protocol';
import { startRedis } from '../../test-support/redis-server.js';
import { LiveClient } from './test-support/live-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { signUp } from './test-support/sign-up.js';

const SECRET = 'b'.repeat(40);
const clients: LiveClient[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const stop of cleanups.splice(0).reverse()) await stop();
});

/** Log lines of a server, to see which node did what. */
function capturedLogger() {
  const lines: { msg: string; reason?: string; classId?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

async function account(s: TestServer, name: string, role: 'teacher' | 'student') {
  return signUp(s, `${name}@restart.test`, role);
}

async function connect(s: TestServer, token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  await c.connected();
  return c;
}

/** A class with a teacher and students (members, not joined yet). */
async function classWith(s: TestServer, students: string[]) {
  const teacher = await account(s, 'teacher', 'teacher');
  const c = await s.call('POST', '/api/classes', {
    token: teacher.token,
    body: { title: 'Breakouts that outlive a node' },
  });
  const classId = c.body.class.id as string;
  const code = c.body.class.inviteUrl.split('/join/')[1];
  const members = [];
  for (const name of students) {
    const a = await account(s, name, 'student');
    await s.call('POST', `/api/invites/${code}/join`, { token: a.token });
    members.push(a);
  }
  return { classId, teacher, students: members };
}

describe('breakouts that outlive a node', () => {
  it('takes running breakouts up again after a restart: rooms, clock, rule and placements', async () => {
    const env = { SECRET, MEDIASOUP_WORKERS: '1', RECONNECT_GRACE_MS: '400' };
    const first = await startTestServer(env);
    let firstRunning = true;
    cleanups.push(async () => firstRunning && (await first.close()));
    const { classId, teacher, students } = await classWith(first, ['ann', 'ben']);
    const t = await connect(first, teacher.token);
    await t.ok('class:join', { classId });
    await t.ok('class:start', {});
    for (const st of students) await (await connect(first, st.token)).ok('class:join', { classId });
    const opened = await t.ok('breakout:open', {
      count: 2,
      assignment: 'random',
      durationSeconds: 600,
    });
    const extended = await t.ok('breakout:extend', { seconds: 60 });
    const before: BreakoutState = { ...opened, endsAt: extended.endsAt };

    // The node stops (a deploy) and starts again on the same database.
    for (const c of clients.splice(0)) c.close();
    await first.close();
    firstRunning = false;
    const second = await startTestServer({ ...env, DATA_DIR: first.dataDir });
    cleanups.push(() => second.stop());

    const [ann] = students as [(typeof students)[number]];
    const annAgain = await connect(second, ann.token);
    await annAgain.ok('class:join', { classId });
    const seen = await annAgain.next<BreakoutState>('breakout:state');
    expect(seen).toEqual(before);
    // Ann's media lands in her breakout's router again.
    await annAgain.ok('transport:create', { direction: 'recv' });
    const rooms = second.sfu.findClass(classId)!;
    expect([...rooms.breakouts.keys()].sort()).toEqual(before.rooms.map((r) => r.id).sort());
    expect(rooms.breakouts.get(before.placement[ann.userId]!)!.peerCount).toBe(1);

    // The teacher runs them as before: closing them ends them for good.
    const tAgain = await connect(second, teacher.token);
    await tAgain.ok('class:join', { classId });
    expect(await tAgain.next<BreakoutState>('breakout:state')).toEqual(before);
    await tAgain.ok('breakout:closeAll', {});
    await annAgain.next('breakout:state', (x) => x === null);
    expect(rooms.breakouts.size).toBe(0);
  }, 90_000);

  it('ends the breakouts once when two nodes run their clock', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const shared = { SECRET, REDIS_URL: redis.url, RECONNECT_GRACE_MS: '400' };
    const logsA = capturedLogger();
    const logsB = capturedLogger();
    const a = await startTestServer(shared, logsA.logger);
    cleanups.push(() => a.stop());
    const b = await startTestServer({ ...shared, DATA_DIR: a.dataDir }, logsB.logger);
    cleanups.push(() => b.close());
    const { classId, teacher, students } = await classWith(a, ['cat', 'dan']);
    const [cat, dan] = students as [(typeof students)[number], (typeof students)[number]];
    const t = await connect(a, teacher.token);
    await t.ok('class:join', { classId });
    await t.ok('class:start', {});
    await (await connect(a, cat.token)).ok('class:join', { classId });
    await t.ok('breakout:open', { count: 2, assignment: 'random', durationSeconds: 600 });
    // Dan joins on the other node, which takes the breakouts up from the database.
    const d = await connect(b, dan.token);
    await d.ok('class:join', { classId });
    await d.next<BreakoutState>('breakout:state', (x) => x !== null);
    // Both clocks now run to the same end, a few seconds away.
    const closing = t.received.length;
    await t.ok('breakout:closeAll', { afterSeconds: 2 });
    await d.next<BreakoutState>(
      'breakout:state',
      (x) => x !== null && x.endsAt < Date.now() + 3000,
    );

    const done = (lines: { msg: string; classId?: string }[]) =>
      lines.some((l) => l.msg === 'breakouts closed' && l.classId === classId);
    await expect.poll(() => done(logsA.lines) && done(logsB.lines), { timeout: 20_000 }).toBe(true);
    const reasons = [...logsA.lines, ...logsB.lines]
      .filter((l) => l.msg === 'breakouts closed' && l.classId === classId)
      .map((l) => l.reason)
      .sort();
    expect(reasons).toEqual(['ended on another node', 'time is up']);
    // The class heard it once, through Redis, whichever node ended them.
    await t.next('breakout:state', (x) => x === null, 10_000, closing);
    const ends = t.received
      .slice(closing)
      .filter((r) => r.event === 'breakout:state' && !r.payload);
    expect(ends).toHaveLength(1);
    const listed = await a.call('GET', `/api/classes/${classId}/breakouts`, {
      token: teacher.token,
    });
    expect(listed.body.breakouts.every((r: { closedAt: string | null }) => r.closedAt)).toBe(true);
  }, 90_000);

  it("removes the breakouts' whiteboards with the class", async () => {
    const s = await startTestServer({ SECRET });
    cleanups.push(() => s.stop());
    const { classId, teacher, students } = await classWith(s, ['eve', 'fay']);
    const t = await connect(s, teacher.token);
    await t.ok('class:join', { classId });
    await t.ok('class:start', {});
    for (const st of students) await (await connect(s, st.token)).ok('class:join', { classId });
    const opened = await t.ok('breakout:open', {
      count: 2,
      assignment: 'random',
      durationSeconds: 600,
    });
    await t.ok('breakout:closeAll', {});

    // A drawing on each room's board, stored.
    const boards = opened.rooms.map((r) => breakoutDocumentName(r.id));
    for (const name of boards) {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(`ws://127.0.0.1:${s.port}/collab`, name, doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { token: teacher.token },
      });
      await new Promise<void>((resolve) => provider.on('sync', (ok: boolean) => ok && resolve()));
      doc.getMap('drawing').set('shape', 'star');
      await s.collab.flush();
      provider.destroy();
    }
    const stored = () =>
      s.db
        .selectFrom('collab_updates' as never)
        .select('doc_name' as never)
        .where('doc_name' as never, 'in', boards as never)
        .execute();
    await expect.poll(async () => (await stored()).length, { timeout: 10_000 }).toBeGreaterThan(0);

    const del = await s.call('DELETE', `/api/classes/${classId}`, { token: teacher.token });
    expect(del.status).toBe(204);
    expect(await stored()).toEqual([]);
  }, 90_000);
});
