/**
 * "Record automatically": a class setting its teachers change; when such a class goes live the
 * recording starts by itself and everyone (joiners too) is told. Real server, Socket.IO clients,
 * mediasoup and ffmpeg.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassRecordingStatus } from '@educloud/protocol';
import { insertRecording, updateRecording, type IngestDatabase } from '@educloud/rtmp-ingest';
import { LiveClient } from '../test-support/live-client.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { classWithStudents } from '../test-support/class-with-students.js';
import { until } from '../test-support/until.js';
import { signUp } from '../test-support/sign-up.js';

let s: TestServer;
let teacher: string;
let student: string;
let classId: string;
const clients: LiveClient[] = [];

async function account(email: string, role: 'teacher' | 'student') {
  return (await signUp(s, email, role)).token;
}

async function enter(token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  await c.connected();
  await c.ok('class:join', { classId });
  return c;
}

const settingsPath = () => `/api/classes/${classId}/recording-settings`;
const classRecordings = async () => {
  const list = await s.call('GET', `/api/classes/${classId}/recordings`, { token: teacher });
  return (list.body.recordings as { id: string; kind: string; status: string }[]).filter(
    (r) => r.kind === 'class',
  );
};

beforeAll(async () => {
  s = await startTestServer({ MIN_FREE_DISK_BYTES: '0' });
  teacher = await account('teacher@auto.test', 'teacher');
  student = await account('student@auto.test', 'student');
  classId = await classWithStudents(s, teacher, 'Auto', [student]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await s?.stop();
}, 60_000);

describe('record automatically', { timeout: 120_000 }, () => {
  it('only teachers change the setting, and bad input is refused', async () => {
    expect((await s.call('GET', settingsPath(), { token: student })).body).toEqual({
      autoRecord: false,
    });
    const denied = await s.call('PUT', settingsPath(), {
      token: student,
      body: { autoRecord: true },
    });
    expect(denied.status).toBe(403);
    const bad = await s.call('PUT', settingsPath(), {
      token: teacher,
      body: { autoRecord: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect((await s.call('GET', settingsPath(), { token: teacher })).body).toEqual({
      autoRecord: false,
    });
  });

  it('a class going live without the setting is not recorded', async () => {
    const t = await enter(teacher);
    await t.ok('class:start', {});
    // The join answer and the live state come after class:start's ack: no status was sent.
    const st = await enter(student);
    expect(st.received.some((r) => r.event === 'recording:status')).toBe(false);
    expect(t.received.some((r) => r.event === 'recording:status')).toBe(false);
    expect(await classRecordings()).toEqual([]);
    await t.ok('class:end', {});
    t.close();
    st.close();
  });

  it('a class set to record automatically records from the moment it goes live', async () => {
    const put = await s.call('PUT', settingsPath(), { token: teacher, body: { autoRecord: true } });
    expect(put.body).toEqual({ autoRecord: true });
    const t = await enter(teacher);
    await t.ok('class:start', {});
    const told = await t.next<ClassRecordingStatus>('recording:status', (p) => p.recording);
    const recs = await classRecordings();
    expect(recs).toHaveLength(1);
    expect(told.recordingId).toBe(recs[0]!.id);

    // A student joining later is told (the indicator), and the teacher can stop it as usual.
    const st = await enter(student);
    const joined = await st.next<ClassRecordingStatus>('recording:status');
    expect(joined).toMatchObject({ recording: true, recordingId: told.recordingId });
    await t.ok('recording:stop', {});
    await until(
      async () => (await classRecordings())[0]?.status === 'ready',
      60_000,
      'the recording to be finalized',
    );
    await t.ok('class:end', {});
  });

  // Last: it fills the teacher's quota.
  it('a refused automatic start tells the teachers why, and the students see nothing', async () => {
    // The teacher's classes already hold more than the quota (20 GiB by default).
    const db = s.db as Kysely<IngestDatabase>;
    const earlier = randomUUID();
    await insertRecording(db, {
      id: earlier,
      classId,
      kind: 'broadcast',
      title: 'Earlier broadcast',
      startedAt: new Date().toISOString(),
    });
    await updateRecording(db, earlier, { status: 'ready', sizeBytes: 21 * 2 ** 30 });
    const before = await classRecordings();

    const t = await enter(teacher);
    const st = await enter(student);
    const from = st.mark();
    await t.ok('class:start', {});
    const told = await t.next<ClassRecordingStatus>('recording:status', (p) => !!p.refused);
    expect(told).toEqual({
      recording: false,
      recordingId: null,
      startedAt: null,
      refused: {
        code: 'conflict',
        message: expect.stringMatching(/use 21(\.0)? GiB of the 20(\.0)? GiB/),
      },
    });
    // A round trip on the student's socket: anything sent to them before it has arrived.
    expect(await st.request('recording:start', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(st.received.slice(from).map((r) => r.event)).toContain('class:live');
    expect(st.received.some((r) => r.event === 'recording:status')).toBe(false);
    expect(await classRecordings()).toEqual(before);

    // A teacher joining afterwards (here: the same teacher, back from a reload) is told too;
    // a student joining afterwards is not.
    t.close();
    const back = await enter(teacher);
    expect(await back.next<ClassRecordingStatus>('recording:status')).toEqual(told);
    st.close();
    const st2 = await enter(student);
    expect(await st2.request('recording:start', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(st2.received.some((r) => r.event === 'recording:status')).toBe(false);
    await back.ok('class:end', {});
  });
});
