/**
 * The live room's stage over real Socket.IO against the real server (SQLite, mediasoup worker):
 * a teacher presents the board and moves its view, everyone in the class hears of it, students
 * are refused until a teacher lets one present, and the stage outlives a restart of the server.
 */
import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { StageState } from '@educloud/protocol';
import { LiveClient } from './test-support/live-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

let s: TestServer;
const tokens: Record<string, string> = {};
const userIds: Record<string, string> = {};
const clients: LiveClient[] = [];
/** Data dirs of servers a test restarted: removed once the last server is stopped. */
const keptDirs: string[] = [];

function client(token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  return c;
}

async function classroom() {
  const c = await s.call('POST', '/api/classes', { token: tokens.teacher, body: { title: 'S' } });
  const classId = c.body.class.id as string;
  const code = (c.body.class.inviteUrl as string).split('/join/')[1]!;
  for (const who of ['ann', 'bob']) {
    await s.call('POST', `/api/invites/${code}/join`, { token: tokens[who] });
  }
  const teacher = client(tokens.teacher!);
  const ann = client(tokens.ann!);
  const bob = client(tokens.bob!);
  await Promise.all([teacher.connected(), ann.connected(), bob.connected()]);
  for (const c of [teacher, ann, bob]) await c.ok('class:join', { classId });
  return { classId, teacher, ann, bob };
}

const view = { pageId: 'page:p2', x: 100, y: -50, w: 1600, h: 900 };

beforeAll(async () => {
  s = await startTestServer();
  for (const [name, role] of [
    ['teacher', 'teacher'],
    ['ann', 'student'],
    ['bob', 'student'],
  ] as const) {
    const r = await s.call('POST', '/api/auth/signup', {
      body: { email: `${name}@x.test`, password: 'longenough', displayName: name, role },
    });
    tokens[name] = r.body.accessToken as string;
    userIds[name] = r.body.user.id as string;
  }
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await s.stop();
  for (const dir of keptDirs) await rm(dir, { recursive: true, force: true });
});

it('lets the teacher present the board and move its view; students follow and cannot take over', async () => {
  const { teacher, ann, bob } = await classroom();
  expect(await ann.ok('stage:get', {})).toMatchObject({ content: null, presenter: null });

  const presented = await teacher.ok('stage:present', { content: 'board' });
  expect(presented).toMatchObject({
    content: 'board',
    presenter: { userId: userIds.teacher, name: 'teacher' },
    view: null,
  });
  for (const c of [ann, bob]) {
    await c.next<StageState>('stage:updated', (x) => x.version === presented.version);
  }

  await teacher.ok('stage:view', view);
  const moved = await ann.next<StageState>('stage:updated', (x) => x.view?.pageId === 'page:p2');
  expect(moved.view).toEqual(view);
  expect(moved.version).toBeGreaterThan(presented.version);

  // Students: refused with a clear code, and the stage is unchanged for everyone.
  for (const [event, payload] of [
    ['stage:present', { content: 'notes' }],
    ['stage:view', { ...view, pageId: 'page:other' }],
    ['stage:allowPresenter', { userId: userIds.ann }],
  ] as const) {
    expect(await ann.request(event, payload)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  }
  expect(await bob.ok('stage:get', {})).toMatchObject({ content: 'board', view });

  // Bad input: a validation error, not a crash.
  expect(await teacher.request('stage:view', { ...view, w: -1 })).toMatchObject({
    ok: false,
    error: { code: 'validation_failed' },
  });
  expect(await teacher.request('stage:present', { content: 'video' })).toMatchObject({
    ok: false,
    error: { code: 'validation_failed' },
  });
});

it('lets a student present once a teacher allows it, and stops them when it is taken back', async () => {
  const { teacher, ann, bob } = await classroom();
  await teacher.ok('stage:allowPresenter', { userId: userIds.ann });
  expect(await bob.request('stage:present', { content: 'board' })).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
  const annPresents = await ann.ok('stage:present', { content: 'notes' });
  expect(annPresents.presenter).toEqual({ userId: userIds.ann, name: 'ann' });
  await bob.next<StageState>('stage:updated', (x) => x.presenter?.userId === userIds.ann);

  const revoked = await teacher.ok('stage:allowPresenter', { userId: null });
  expect(revoked).toMatchObject({ content: null, presenter: null, allowedUserId: null });
  expect(await ann.request('stage:present', { content: 'board' })).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
});

it('keeps the stage over a server restart and clears it when the class ends', async () => {
  const { classId, teacher } = await classroom();
  await teacher.ok('stage:present', { content: 'board' });
  await teacher.ok('stage:view', view);
  for (const c of clients.splice(0)) c.close();

  const dataDir = s.dataDir;
  keptDirs.push(dataDir);
  await s.close();
  s = await startTestServer({ DATA_DIR: dataDir });
  const back = client(tokens.teacher!);
  await back.connected();
  await back.ok('class:join', { classId });
  expect(await back.ok('stage:get', {})).toMatchObject({ content: 'board', view });

  await back.ok('class:end', {});
  const again = client(tokens.teacher!);
  await again.connected();
  await again.ok('class:join', { classId });
  expect(await again.ok('stage:get', {})).toMatchObject({ content: null, view: null });
});
