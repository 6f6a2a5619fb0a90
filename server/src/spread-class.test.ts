/**
 * A class spread over two workers (MEDIA_ROUTER_MAX_PEERS=1), over the wire: the real server and
 * Socket.IO clients. When the worker holding only the student dies, the student alone is told
 * to set its media up again; the teacher's room stays as it is. When the worker of the room's
 * home dies, home moves to the student's worker: the teacher alone sets media up again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JoinResult } from '@educloud/protocol';
import { LiveClient } from './test-support/live-client.js';
import { signUp } from './test-support/sign-up.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { classWithStudents } from './test-support/class-with-students.js';

let s: TestServer;
let teacherToken: string;
let studentToken: string;
let classId: string;
const clients: LiveClient[] = [];

beforeAll(async () => {
  s = await startTestServer({ MEDIASOUP_WORKERS: '2', MEDIA_ROUTER_MAX_PEERS: '1' });
  teacherToken = (await signUp(s, 'teacher@x.test', 'teacher')).token;
  studentToken = (await signUp(s, 'student@x.test', 'student')).token;
  classId = await classWithStudents(s, teacherToken, 'Big', [studentToken]);
});
afterAll(async () => {
  for (const c of clients.splice(0)) c.close();
  await s.stop();
});

async function join(
  token: string,
  inClass = classId,
): Promise<{ client: LiveClient; joined: JoinResult }> {
  const client = new LiveClient(s.port, token);
  clients.push(client);
  await client.connected();
  const joined: JoinResult = await client.ok('class:join', { classId: inClass });
  await client.ok('transport:create', { direction: 'recv' });
  return { client, joined };
}

it('tells only the peers of a dead worker to reconnect their media', async () => {
  const teacher = await join(teacherToken);
  const student = await join(studentToken);
  const room = s.sfu.getRoom(classId)!;
  const home = room.workerIndex;
  expect(room.workerIndexOf(teacher.joined.peerId)).toBe(home);
  const other = room.workerIndexOf(student.joined.peerId);
  expect(other).toBeDefined();
  expect(other).not.toBe(home);
  const replaced = new Promise((r) => s.sfu.pool.once('workerReplaced', r));

  process.kill(s.sfu.pool.workers[other!]!.pid, 'SIGKILL');
  await student.client.next('media:reconnect', undefined, 15_000);
  await replaced;
  // The room was not rebuilt: same room, still open, and the teacher was told nothing.
  expect(s.sfu.getRoom(classId)).toBe(room);
  expect(room.isClosed).toBe(false);
  expect(teacher.client.seen('media:reconnect')).toEqual([]);
  expect(room.workerIndexOf(teacher.joined.peerId)).toBe(home);

  // The student sets media up again, on a live router.
  const again = await student.client.ok('class:join', {
    classId,
    resumePeerId: student.joined.peerId,
  });
  expect(again.resumed).toBe(true);
  expect((await student.client.ok('transport:create', { direction: 'send' })).id).toBeTruthy();
  expect(room.workerIndexOf(student.joined.peerId)).toBeDefined();
});

it('moves the room home when its worker dies: only the peers there reconnect their media', async () => {
  const second = await classWithStudents(s, teacherToken, 'Big too', [studentToken]);
  const teacher = await join(teacherToken, second);
  const student = await join(studentToken, second);
  const room = s.sfu.getRoom(second)!;
  const home = room.workerIndex;
  expect(room.workerIndexOf(teacher.joined.peerId)).toBe(home);
  const other = room.workerIndexOf(student.joined.peerId)!;
  expect(other).not.toBe(home);
  const replaced = new Promise((r) => s.sfu.pool.once('workerReplaced', r));

  process.kill(s.sfu.pool.workers[home]!.pid, 'SIGKILL');
  await teacher.client.next('media:reconnect', undefined, 15_000);
  await replaced;
  // Not rebuilt: the same room, home now on the student's worker, and the student told nothing.
  expect(s.sfu.getRoom(second)).toBe(room);
  expect(room.isClosed).toBe(false);
  expect(room.workerIndex).toBe(other);
  expect(student.client.seen('media:reconnect')).toEqual([]);
  expect(room.workerIndexOf(student.joined.peerId)).toBe(other);

  // The teacher sets media up again, on a live router, and publishes.
  const again = await teacher.client.ok('class:join', {
    classId: second,
    resumePeerId: teacher.joined.peerId,
  });
  expect(again.resumed).toBe(true);
  expect((await teacher.client.ok('transport:create', { direction: 'send' })).id).toBeTruthy();
  expect(room.workerIndexOf(teacher.joined.peerId)).toBeDefined();
});
