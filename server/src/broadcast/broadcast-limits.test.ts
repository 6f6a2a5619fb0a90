/**
 * Recording limits and class deletion against the real server, with an OBS-like ffmpeg: the
 * maximum broadcast length, the per-teacher quota (refusals the teacher can read), and what
 * deleting a class does to its recordings, public links, files and documents.
 */
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { freePort } from '../../../test-support/free-port.js';
import { publishLikeObs, type ObsPublisher } from '../test-support/obs-publish.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { until } from '../test-support/until.js';

const SECRET = 'limits-test-secret-0123456789abcdefghijkl';

/** A running server with RTMP, accounts, and helpers for classes and broadcasts. */
function fixture(env: Record<string, string>) {
  const f = {
    s: undefined as unknown as TestServer,
    publishers: [] as ObsPublisher[],
    docs: [] as { provider: WebsocketProvider; doc: Y.Doc }[],
    async start() {
      f.s = await startTestServer({
        RTMP_ENABLED: 'true',
        RTMP_PORT: String(await freePort()),
        RTMP_RECONNECT_GRACE_MS: '1000',
        SECRET,
        ...env,
      });
      await f.account('admin@l.test', 'teacher');
    },
    async stop() {
      for (const { provider, doc } of f.docs.splice(0)) {
        provider.destroy();
        doc.destroy();
      }
      for (const p of f.publishers) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await f.s?.stop();
    },
    async account(email: string, role: 'teacher' | 'student') {
      const r = await f.s.call('POST', '/api/auth/signup', {
        body: { email, password: 'longenough', displayName: email.split('@')[0], role },
      });
      expect(r.status).toBe(201);
      return r.body.accessToken as string;
    },
    async klass(token: string, title: string) {
      const c = await f.s.call('POST', '/api/classes', { token, body: { title } });
      expect(c.status).toBe(201);
      return {
        id: c.body.class.id as string,
        code: (c.body.class.inviteUrl as string).split('/join/')[1]!,
      };
    },
    async publish(token: string, classId: string, seconds?: number) {
      const k = await f.s.call('GET', `/api/classes/${classId}/stream-key`, { token });
      const url = `rtmp://127.0.0.1:${f.s.ingest!.port}/live/${k.body.streamKey}`;
      const p = publishLikeObs(url, seconds);
      f.publishers.push(p);
      return p;
    },
    status(token: string, classId: string) {
      return f.s.call('GET', `/api/classes/${classId}/broadcast`, { token });
    },
    async readyRecording(token: string, classId: string) {
      return until(
        async () => {
          const r = await f.s.call('GET', `/api/classes/${classId}/recordings`, { token });
          const one = r.body.recordings?.[0];
          return one?.status === 'ready' ? (one as { id: string; sizeBytes: number }) : null;
        },
        30_000,
        'a ready recording',
      );
    },
    /** Writes into a class document over y-websocket and waits until it is stored. */
    async writeDocument(token: string, name: string, text: string) {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(`ws://127.0.0.1:${f.s.port}/collab`, name, doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { token },
      });
      f.docs.push({ provider, doc });
      await new Promise<void>((resolve) => {
        if (provider.synced) resolve();
        provider.on('sync', (synced: boolean) => synced && resolve());
      });
      doc.getText('t').insert(0, text);
      await until(async () => (await f.documentRows(name)) > 0, 10_000, 'the update stored');
    },
    async documentRows(name: string) {
      const r = await sql<{ n: number }>`
        select (select count(*) from collab_updates where doc_name = ${name})
             + (select count(*) from collab_snapshots where doc_name = ${name}) as n`.execute(
        f.s.db,
      );
      return Number(r.rows[0]?.n);
    },
    async recordingRows(classId: string) {
      const r = await sql<{ n: number }>`
        select count(*) as n from recordings where class_id = ${classId}`.execute(f.s.db);
      return Number(r.rows[0]?.n);
    },
    get: (path: string) => fetch(`http://127.0.0.1:${f.s.port}${path}`),
  };
  return f;
}

describe('limits and class deletion (DELETED_CLASS_CONTENT=delete, the default)', () => {
  const f = fixture({ RECORDING_QUOTA_BYTES_PER_TEACHER: '1', MAX_BROADCAST_SECONDS: '6' });
  let teacher: string;
  let student: string;
  let otherTeacher: string;
  let a: { id: string; code: string };
  let b: { id: string; code: string };
  let c: { id: string; code: string };
  let rid: string;

  beforeAll(async () => {
    await f.start();
    teacher = await f.account('teacher@l.test', 'teacher');
    otherTeacher = await f.account('other@l.test', 'teacher');
    student = await f.account('student@l.test', 'student');
    a = await f.klass(teacher, 'A');
    b = await f.klass(teacher, 'B');
    c = await f.klass(otherTeacher, 'C');
    for (const k of [a, b]) {
      const r = await f.s.call('POST', `/api/invites/${k.code}/join`, { token: student });
      expect(r.status).toBe(200);
    }
    await f.writeDocument(otherTeacher, `class/${c.id}/notes`, 'notes of C');
    await f.writeDocument(teacher, `class/${a.id}/notes`, 'notes of A');
  }, 60_000);
  afterAll(() => f.stop(), 60_000);

  it('stops a broadcast at MAX_BROADCAST_SECONDS and tells its teachers', async () => {
    const p = await f.publish(teacher, a.id);
    const code = await p.exitWithin(30_000);
    // Dropped by the server: ffmpeg fails on its own.
    expect(code).toEqual(expect.any(Number));
    expect(code).not.toBe(0);
    const rec = await f.readyRecording(teacher, a.id);
    rid = rec.id;
    const st = await f.status(teacher, a.id);
    expect(st.body).toMatchObject({
      live: false,
      notice: { code: 'max_length_reached', message: expect.stringContaining('(6 s)') },
    });
    // Students see the broadcast state, not the server's reasons.
    expect((await f.status(student, a.id)).body).toMatchObject({ live: false, notice: null });
  }, 90_000);

  it('refuses a teacher over quota in every class they created, and only them', async () => {
    // The first recording is over the 1-byte quota.
    const p = await f.publish(teacher, b.id, 3);
    const code = await p.exitWithin(15_000);
    expect(code).toEqual(expect.any(Number));
    expect(code).not.toBe(0);
    const st = await f.status(teacher, b.id);
    expect(st.body.live).toBe(false);
    expect(st.body.notice).toMatchObject({ code: 'quota_exceeded' });
    expect(st.body.notice.message).toMatch(/use .+ of the 1 B allowed: delete recordings/);
    expect(await f.recordingRows(b.id)).toBe(0);
    // Another teacher's class broadcasts (it stays live for the deletion test below).
    await f.publish(otherTeacher, c.id);
    await until(async () => (await f.status(otherTeacher, c.id)).body.live, 20_000, 'C live');
  }, 90_000);

  it('deletes a live class with its recordings, files, public links and documents', async () => {
    const doc = `class/${c.id}/notes`;
    const other = `class/${a.id}/notes`;
    expect(await f.documentRows(doc)).toBeGreaterThan(0);
    expect(f.s.ingest!.isLive(c.id)).toBe(true);
    const liveRid = (await f.status(otherTeacher, c.id)).body.recordingId as string;
    const r = await f.s.call('DELETE', `/api/classes/${c.id}`, { token: otherTeacher });
    expect(r.status).toBe(204);
    // The broadcast was stopped and its recording removed, files and all.
    expect(f.s.ingest!.isLive(c.id)).toBe(false);
    expect(await f.recordingRows(c.id)).toBe(0);
    expect(existsSync(f.s.ingest!.hlsDir(liveRid))).toBe(false);
    expect(await f.documentRows(doc)).toBe(0);
    // Nothing of another class went with it.
    expect(await f.documentRows(other)).toBeGreaterThan(0);
    expect(await f.recordingRows(a.id)).toBe(1);
  }, 90_000);

  it('takes a public recording offline when its class is deleted', async () => {
    const pub = await f.s.call('PATCH', `/api/classes/${a.id}/recordings/${rid}`, {
      token: teacher,
      body: { isPublic: true },
    });
    expect(pub.status).toBe(200);
    const link = (await f.s.call('GET', `/api/recordings/${rid}/public`)).body.hlsUrl as string;
    expect((await f.get(link)).status).toBe(200);
    expect((await f.s.call('DELETE', `/api/classes/${a.id}`, { token: teacher })).status).toBe(204);
    expect((await f.s.call('GET', `/api/recordings/${rid}/public`)).status).toBe(404);
    expect([403, 404]).toContain((await f.get(link)).status);
    expect(existsSync(f.s.ingest!.hlsDir(rid))).toBe(false);
    expect(await f.recordingRows(a.id)).toBe(0);
    expect(await f.documentRows(`class/${a.id}/notes`)).toBe(0);
  }, 90_000);
});

describe('DELETED_CLASS_CONTENT=keep', () => {
  const f = fixture({ DELETED_CLASS_CONTENT: 'keep', RECORDING_QUOTA_BYTES_PER_TEACHER: '0' });
  let teacher: string;

  beforeAll(async () => {
    await f.start();
    teacher = await f.account('teacher@k.test', 'teacher');
  }, 60_000);
  afterAll(() => f.stop(), 60_000);

  it('keeps the recordings and documents of a deleted class, unpublished', async () => {
    const k = await f.klass(teacher, 'Kept');
    const p = await f.publish(teacher, k.id, 3);
    expect(await p.exitWithin(30_000)).toBe(0);
    const rec = await f.readyRecording(teacher, k.id);
    // A member's signed link, valid for hours (asked for while the recording is private).
    const signed = await f.s.call('GET', `/api/classes/${k.id}/recordings/${rec.id}/playback`, {
      token: teacher,
    });
    const signedMp4 = signed.body.mp4Url as string;
    expect((await f.get(signedMp4)).status).toBe(200);
    expect(signedMp4).not.toContain('/public/');
    await f.s.call('PATCH', `/api/classes/${k.id}/recordings/${rec.id}`, {
      token: teacher,
      body: { isPublic: true },
    });
    const link = (await f.s.call('GET', `/api/recordings/${rec.id}/public`)).body.hlsUrl as string;
    expect((await f.get(link)).status).toBe(200);
    const doc = `class/${k.id}/board`;
    await f.writeDocument(teacher, doc, 'kept');

    expect((await f.s.call('DELETE', `/api/classes/${k.id}`, { token: teacher })).status).toBe(204);
    expect((await f.s.call('GET', `/api/recordings/${rec.id}/public`)).status).toBe(404);
    expect((await f.get(link)).status).toBe(403);
    expect((await f.get(signedMp4)).status).toBe(404);
    expect(await f.s.ingest!.recordings.get(rec.id)).toMatchObject({ isPublic: false });
    expect(existsSync(f.s.ingest!.hlsDir(rec.id))).toBe(true);
    expect(await f.documentRows(doc)).toBeGreaterThan(0);
  }, 90_000);
});
