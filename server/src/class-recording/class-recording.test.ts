/**
 * Recording a live class against the real server: a real mediasoup worker, ffmpeg writing the
 * tracks, Socket.IO clients for the teacher and students. Producers are synthetic (ffmpeg RTP).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassRecordingStatus, ClassReplayResponse } from '@educloud/protocol';
import {
  countPackets,
  probeDurationMs,
  startSyntheticProducer,
  type SyntheticProducer,
} from '@educloud/sfu';
import { LiveClient } from '../test-support/live-client.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { classWithStudents } from '../test-support/class-with-students.js';
import { until } from '../test-support/until.js';
import { signUp } from '../test-support/sign-up.js';

let s: TestServer;
let teacher: string;
let student: string;
let student2: string;
let classId: string;
const clients: LiveClient[] = [];
const feeds: SyntheticProducer[] = [];

async function account(email: string, role: 'teacher' | 'student') {
  return (await signUp(s, email, role)).token;
}

async function enter(token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  await c.connected();
  const r = await c.ok('class:join', { classId });
  return { c, peerId: r.peerId };
}

beforeAll(async () => {
  s = await startTestServer({ MIN_FREE_DISK_BYTES: '0' });
  teacher = await account('teacher@r.test', 'teacher');
  student = await account('student@r.test', 'student');
  student2 = await account('late@r.test', 'student');
  classId = await classWithStudents(s, teacher, 'Rec', [student, student2]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(feeds.map((f) => f.stop()));
  await s?.stop();
}, 60_000);

describe('class recording', { timeout: 180_000 }, () => {
  it('teachers record the class: students refused, everyone told, tracks and timeline replayable', async () => {
    const t = await enter(teacher);
    await t.c.ok('class:start', {});
    const st = await enter(student);

    const refused = await st.c.request('recording:start', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await st.c.request('recording:stop', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    // The teacher's camera and mic, the student's camera (synthetic senders in the class's room).
    const room = s.sfu.classRooms(classId).main!;
    feeds.push(await startSyntheticProducer(room, { peerId: t.peerId, kind: 'video' }));
    feeds.push(await startSyntheticProducer(room, { peerId: t.peerId, kind: 'audio' }));
    const studentCam = await startSyntheticProducer(room, { peerId: st.peerId, kind: 'video' });
    feeds.push(studentCam);

    // Presented before the recording: its timeline opens with it.
    await t.c.ok('stage:present', { content: 'board' });
    const started = await t.c.ok('recording:start', {});
    expect(started.recording).toBe(true);
    const recordingId = started.recordingId!;
    const told = await st.c.next<ClassRecordingStatus>('recording:status', (p) => p.recording);
    expect(told.recordingId).toBe(recordingId);
    expect(await t.c.request('recording:start', {})).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });

    // Someone joining while it runs is told.
    const late = await enter(student2);
    const lateTold = await late.c.next<ClassRecordingStatus>('recording:status');
    expect(lateTold).toMatchObject({ recording: true, recordingId });

    await t.c.ok('chat:send', { text: 'first message', to: 'everyone' });
    await st.c.ok('hand:set', { raised: true });
    const dir = join(s.dataDir, 'recordings', recordingId);
    await until(
      async () => (await readdir(join(dir, 'tracks')).catch(() => [])).length >= 3,
      60_000,
      'three tracks',
    );
    // The student leaves mid-recording: their track ends, the rest goes on.
    await late.c.ok('class:leave', {});
    st.c.close();
    await until(
      async () => {
        const segs = await readdir(join(dir, 'tracks', 't1-camera')).catch(() => [] as string[]);
        return segs.filter((n) => n.endsWith('.mkv')).length >= 3;
      },
      60_000,
      'camera segments',
    );
    const stopped = await t.c.ok('recording:stop', {});
    expect(stopped.recording).toBe(false);

    const row = await until(
      async () => {
        const list = await s.call('GET', `/api/classes/${classId}/recordings`, { token: teacher });
        const r = list.body.recordings.find((x: { id: string }) => x.id === recordingId);
        return r?.status === 'ready' || r?.status === 'failed' ? r : null;
      },
      60_000,
      'the recording to be finalized',
    );
    expect(row).toMatchObject({ kind: 'class', status: 'ready' });
    expect(row.durationMs).toBeGreaterThan(1000);

    const replay = await s.call('GET', `/api/classes/${classId}/recordings/${recordingId}/replay`, {
      token: teacher,
    });
    expect(replay.status).toBe(200);
    const body = replay.body as ClassReplayResponse;
    const files = body.manifest.tracks.filter((x) => x.file);
    expect(files.map((x) => `${x.kind}:${x.source}`).sort()).toEqual([
      'audio:mic',
      'video:camera',
      'video:camera',
    ]);
    expect(
      body.manifest.tracks.find((x) => x.peerId === t.peerId && x.kind === 'video')?.name,
    ).toBe('teacher');
    for (const f of files) {
      expect(await countPackets('ffprobe', join(dir, f.file!))).toBeGreaterThan(10);
    }
    const types = body.timeline.map((e) => e.type);
    const begun = body.timeline.find((e) => e.type === 'recording' && e.state === 'started');
    expect(body.timeline.find((e) => e.type === 'stage')).toEqual({
      type: 'stage',
      at: begun!.at,
      content: 'board',
    });
    expect(types).toContain('chat');
    expect(types).toContain('hand');
    expect(types).toContain('leave');
    expect(body.timeline.find((e) => e.type === 'chat')).toMatchObject({
      text: 'first message',
      from: 'teacher',
    });
    // A track's file is served with the signed link.
    const res = await fetch(`http://127.0.0.1:${s.port}${body.filesUrl}${files[0]!.file}`, {
      headers: { range: 'bytes=0-99' },
    });
    expect(res.status).toBe(206);

    // The MP4 export: the camera and the mixed audio, playable.
    const exp = await s.call('POST', `/api/classes/${classId}/recordings/${recordingId}/export`, {
      token: teacher,
    });
    expect(exp.status).toBe(202);
    await until(
      async () => {
        const r = await s.call('GET', `/api/classes/${classId}/recordings/${recordingId}/replay`, {
          token: teacher,
        });
        return r.body.export.status === 'ready';
      },
      120_000,
      'the export',
    );
    expect(await probeDurationMs('ffprobe', join(dir, 'export.mp4'))).toBeGreaterThan(1000);
    // Students may not export, and nothing is left running.
    const denied = await s.call(
      'POST',
      `/api/classes/${classId}/recordings/${recordingId}/export`,
      {
        token: student,
      },
    );
    expect(denied.status).toBe(403);
  });
});
