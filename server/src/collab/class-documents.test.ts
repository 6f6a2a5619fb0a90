/**
 * The collab server as the composition root wires it: real accounts, classes and invites, the
 * stock y-websocket client over real sockets. Members converge on their class's documents,
 * everybody else is refused at the upgrade, and a teacher's lock silences students only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

let server: TestServer;
let wsBase: string;
let classId: string;
let otherClassId: string;
const tokens: Record<string, string> = {};
let otherGuestToken: string;
let guestToken: string;
const open: { provider: WebsocketProvider; doc: Y.Doc }[] = [];

async function signup(name: string, role: 'teacher' | 'student'): Promise<string> {
  const r = await server.call('POST', '/api/auth/signup', {
    body: { email: `${name}@example.org`, password: 'long password', displayName: name, role },
  });
  expect(r.status).toBe(201);
  return r.body.accessToken as string;
}

function connect(docName: string, token: string) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsBase, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { token },
    maxBackoffTime: 200,
  });
  open.push({ provider, doc });
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    provider.on('sync', (s: boolean) => s && resolve());
  });
  return { doc, provider, synced };
}

/** The HTTP status of the upgrade: 101 when accepted. */
function upgradeStatus(docName: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase}/${docName}?token=${encodeURIComponent(token)}`);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  wsBase = `ws://127.0.0.1:${server.port}/collab`;
  // The first account becomes the admin: keep it out of the way.
  await signup('admin', 'teacher');
  tokens.teacher = await signup('teacher', 'teacher');
  tokens.student = await signup('student', 'student');
  tokens.outsider = await signup('outsider', 'student');

  const c = await server.call('POST', '/api/classes', {
    token: tokens.teacher,
    body: { title: 'Geometry' },
  });
  expect(c.status).toBe(201);
  classId = c.body.class.id;
  const code = (c.body.class.inviteUrl as string).split('/join/')[1]!;
  expect(
    (await server.call('POST', `/api/invites/${code}/join`, { token: tokens.student })).status,
  ).toBe(200);

  const other = await server.call('POST', '/api/classes', {
    token: tokens.teacher,
    body: { title: 'History' },
  });
  otherClassId = other.body.class.id;
  const otherCode = (other.body.class.inviteUrl as string).split('/join/')[1]!;
  const guest = await server.call('POST', `/api/invites/${otherCode}/guest`, {
    body: { displayName: 'Visitor' },
  });
  expect(guest.status).toBe(201);
  otherGuestToken = guest.body.guestToken;
  const inClass = await server.call('POST', `/api/invites/${code}/guest`, {
    body: { displayName: 'Teacher' },
  });
  expect(inClass.status).toBe(201);
  guestToken = inClass.body.guestToken;
});

function closeOf(provider: WebsocketProvider): Promise<number> {
  return new Promise((resolve) =>
    provider.once('connection-close', (e: CloseEvent | null) => resolve(e?.code ?? 0)),
  );
}

afterAll(async () => {
  for (const { provider, doc } of open.splice(0)) {
    provider.destroy();
    doc.destroy();
  }
  await server?.stop();
});

describe('class documents over y-websocket', () => {
  it('a teacher and a student converge on the class board', async () => {
    const board = `class/${classId}/board`;
    const teacher = connect(board, tokens.teacher!);
    const student = connect(board, tokens.student!);
    await Promise.all([teacher.synced, student.synced]);

    teacher.doc.getMap('tldraw').set('shape:t', { id: 'shape:t', by: 'teacher' });
    student.doc.getMap('tldraw').set('shape:s', { id: 'shape:s', by: 'student' });
    await until(
      () => teacher.doc.getMap('tldraw').size === 2 && student.doc.getMap('tldraw').size === 2,
      'both shapes on both sides',
    );
    expect(teacher.doc.getMap('tldraw').toJSON()).toEqual(student.doc.getMap('tldraw').toJSON());

    // Awareness (cursors) reaches the other member too.
    teacher.provider.awareness.setLocalStateField('presence', { cursor: { x: 1, y: 2 } });
    await until(
      () =>
        [...student.provider.awareness.getStates().values()].some(
          (s) => (s as { presence?: unknown }).presence !== undefined,
        ),
      "the teacher's presence",
    );
  });

  it('refuses a non-member, a forged token and a guest of another class', async () => {
    const board = `class/${classId}/board`;
    expect(await upgradeStatus(board, tokens.teacher!)).toBe(101);
    expect(await upgradeStatus(board, tokens.outsider!)).toBe(401);
    const [head, body] = tokens.student!.split('.');
    expect(await upgradeStatus(board, `${head}.${body}.forgedsignature`)).toBe(401);
    expect(await upgradeStatus(board, 'not-a-token')).toBe(401);
    expect(await upgradeStatus(board, otherGuestToken)).toBe(401);
    // The same guest token opens its own class's notes.
    expect(await upgradeStatus(`class/${otherClassId}/notes`, otherGuestToken)).toBe(101);
    // Unknown document kinds are refused even for members.
    expect(await upgradeStatus(`class/${classId}/secret`, tokens.teacher!)).not.toBe(101);
  });

  it("drops a student's edits while the teacher locked the notes; the teacher's go through", async () => {
    const notes = `class/${classId}/notes`;
    const teacher = connect(notes, tokens.teacher!);
    const student = connect(notes, tokens.student!);
    await Promise.all([teacher.synced, student.synced]);

    // Students may not lock.
    const refused = await server.call('PUT', `/api/classes/${classId}/documents/notes/lock`, {
      token: tokens.student,
      body: { locked: true },
    });
    expect(refused.status).toBe(403);
    const lock = await server.call('PUT', `/api/classes/${classId}/documents/notes/lock`, {
      token: tokens.teacher,
      body: { locked: true },
    });
    expect(lock.body).toMatchObject({ document: notes, locked: true, epoch: 0 });
    const seen = await server.call('GET', `/api/classes/${classId}/documents/notes`, {
      token: tokens.student,
    });
    expect(seen.body.locked).toBe(true);

    // y-websocket only logs the server's permission-denied message: note it instead.
    let denied = 0;
    student.provider.messageHandlers[2] = () => denied++;
    student.doc.getMap('meta').set('student', 'while locked');
    await until(() => denied > 0, 'permission denied for the student');
    teacher.doc.getMap('meta').set('teacher', 'while locked');
    await until(
      () => student.doc.getMap('meta').get('teacher') === 'while locked',
      "the teacher's edit at the student",
    );
    // Dropped, not delayed: a fresh client sees the server's state.
    const fresh = connect(notes, tokens.teacher!);
    await fresh.synced;
    expect(fresh.doc.getMap('meta').get('teacher')).toBe('while locked');
    expect(fresh.doc.getMap('meta').has('student')).toBe(false);
    expect(teacher.doc.getMap('meta').has('student')).toBe(false);

    await server.call('PUT', `/api/classes/${classId}/documents/notes/lock`, {
      token: tokens.teacher,
      body: { locked: false },
    });
    const after = connect(notes, tokens.student!);
    await after.synced;
    after.doc.getMap('meta').set('after', 'unlocked');
    await until(() => teacher.doc.getMap('meta').get('after') === 'unlocked', 'edit after unlock');
  });
});

describe('hostile members and teacher resets', () => {
  const MiB = 1024 * 1024;

  it('cuts a guest flooding the board at the write budget; the board stays small', async () => {
    const notes = `class/${classId}/board`;
    const teacher = connect(notes, tokens.teacher!);
    const guest = connect(notes, guestToken);
    await Promise.all([teacher.synced, guest.synced]);
    const closed = closeOf(guest.provider);
    // The measured attack: 64 frames of (almost) 1 MiB of text.
    for (let i = 0; i < 64; i++) guest.doc.getText('flood').insert(0, 'x'.repeat(MiB - 200));
    expect(await closed).toBe(4429);
    guest.provider.destroy();
    const state = await server.call('GET', `/api/classes/${classId}/documents/board`, {
      token: tokens.teacher,
    });
    expect(state.status).toBe(200);
    // 4 MiB of burst plus what refilled (256 KiB/s) while the frames were read: not 64 MiB.
    expect(state.body.sizeBytes).toBeGreaterThan(2 * MiB);
    expect(state.body.sizeBytes).toBeLessThan(8 * MiB);
    // The teacher was not cut.
    expect(teacher.provider.wsconnected).toBe(true);
    console.log('server flood: sent', 64 * (MiB - 200), 'stored', state.body.sizeBytes);
  });

  it('lets a teacher reset the board for everybody and undo it; students may not', async () => {
    const board = `class/${classId}/board`;
    const url = `/api/classes/${classId}/documents/board`;
    const before = await server.call('GET', url, { token: tokens.student });
    const big = before.body.sizeBytes as number;
    expect(big).toBeGreaterThan(MiB);

    expect(
      (await server.call('POST', `${url}/reset`, { token: tokens.student, body: {} })).status,
    ).toBe(403);
    expect(
      (await server.call('POST', `${url}/undo-reset`, { token: tokens.teacher, body: {} })).status,
    ).toBe(409);

    const teacher = connect(board, tokens.teacher!);
    const student = connect(board, tokens.student!);
    await Promise.all([teacher.synced, student.synced]);
    const kicked = [closeOf(teacher.provider), closeOf(student.provider)];
    const reset = await server.call('POST', `${url}/reset`, {
      token: tokens.teacher,
      body: { expectedEpoch: before.body.epoch },
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ epoch: before.body.epoch + 1, canUndoReset: true });
    expect(reset.body.sizeBytes).toBeLessThan(100);
    expect(await Promise.all(kicked)).toEqual([4410, 4410]);
    // A second reset based on the old epoch is refused.
    const stale = await server.call('POST', `${url}/reset`, {
      token: tokens.teacher,
      body: { expectedEpoch: before.body.epoch },
    });
    expect(stale.status).toBe(409);

    const fresh = connect(board, tokens.student!);
    await fresh.synced;
    expect(fresh.doc.getText('flood').length).toBe(0);

    const undo = await server.call('POST', `${url}/undo-reset`, {
      token: tokens.teacher,
      body: {},
    });
    expect(undo.status).toBe(200);
    expect(undo.body).toMatchObject({ epoch: before.body.epoch + 2, canUndoReset: false });
    const restored = connect(board, tokens.student!);
    await restored.synced;
    expect(restored.doc.getText('flood').length).toBeGreaterThan(MiB);
  });

  it('relays cursors under the authenticated name, whatever the client claims', async () => {
    const notes = `class/${classId}/notes`;
    const teacher = connect(notes, tokens.teacher!);
    const student = connect(notes, tokens.student!);
    const guest = connect(notes, guestToken);
    await Promise.all([teacher.synced, student.synced, guest.synced]);
    student.provider.awareness.setLocalStateField('user', { name: 'Teacher', color: '#f00' });
    guest.provider.awareness.setLocalStateField('user', { name: 'Teacher', color: '#0f0' });
    const nameOf = (id: number) =>
      (teacher.provider.awareness.getStates().get(id) as { user?: { name?: string } } | undefined)
        ?.user?.name;
    await until(
      () => nameOf(student.doc.clientID) !== undefined && nameOf(guest.doc.clientID) !== undefined,
      'both cursors',
    );
    expect(nameOf(student.doc.clientID)).toBe('student');
    // The guest chose "Teacher" as their name when joining: it says they are a guest.
    expect(nameOf(guest.doc.clientID)).toBe('Teacher (guest)');
  });
});
