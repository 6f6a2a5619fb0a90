/**
 * A class on one router is recorded when that router's worker dies: the real server (one
 * mediasoup worker, killed with SIGKILL and replaced), the recorder's ffmpegs, a Socket.IO
 * teacher. The room is rebuilt on the replacement worker and the recording goes on there: the
 * camera published again is recorded in a new track, numbered after the first, and both
 * tracks are in the finished recording.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSyntheticProducer, type Room, type SyntheticProducer } from '@educloud/sfu';
import { LiveClient } from '../test-support/live-client.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { classWithStudents } from '../test-support/class-with-students.js';
import { replayPath, replayWhenReady, videoTracksStarted } from '../test-support/class-replay.js';
import { signUp } from '../test-support/sign-up.js';
import { until } from '../test-support/until.js';
import { join } from 'node:path';

let s: TestServer;
let teacher: string;
let classId: string;
const clients: LiveClient[] = [];
const feeds: SyntheticProducer[] = [];

beforeAll(async () => {
  s = await startTestServer({ MIN_FREE_DISK_BYTES: '0', MEDIASOUP_WORKERS: '1' });
  teacher = (await signUp(s, 'teacher@wd.test', 'teacher')).token;
  classId = await classWithStudents(s, teacher, 'Worker dies', []);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(feeds.map((f) => f.stop()));
  await s?.stop();
}, 60_000);

it(
  'goes on recording in the rebuilt room when the class worker dies',
  { timeout: 180_000 },
  async () => {
    const t = new LiveClient(s.port, teacher);
    clients.push(t);
    await t.connected();
    const { peerId } = await t.ok('class:join', { classId });
    await t.ok('class:start', {});
    const first = s.sfu.classRooms(classId).main!;
    feeds.push(await startSyntheticProducer(first, { peerId, kind: 'video' }));
    const { recordingId } = await t.ok('recording:start', {});
    const dir = join(s.dataDir, 'recordings', recordingId!);
    await videoTracksStarted(dir, 1);
    // A few seconds of it on disk before the worker dies.
    await new Promise((r) => setTimeout(r, 3000));

    process.kill(s.sfu.pool.workers[0]!.pid, 'SIGKILL');
    await t.next('media:reconnect', undefined, 30_000);
    // The teacher's socket stays in the class: its room is rebuilt on the replacement worker.
    const rebuilt = await until(
      async () => {
        const main = s.sfu.classRooms(classId).main;
        return main && main !== first && !main.isClosed ? main : null;
      },
      60_000,
      'the rebuilt room',
    );
    feeds.push(await startSyntheticProducer(rebuilt as Room, { peerId, kind: 'video' }));
    await videoTracksStarted(dir, 2);
    // A few seconds of it on disk before stopping.
    await new Promise((r) => setTimeout(r, 3000));
    await t.ok('recording:stop', {});

    const replay = await replayWhenReady(s, replayPath(classId, recordingId!), teacher);
    const cameras = replay.manifest.tracks.filter((x) => x.kind === 'video');
    expect(cameras.map((x) => x.trackId)).toEqual(['t1-camera', 't2-camera']);
    // (Printed: which one has no file, if one has none.)
    expect(cameras.map((x) => x.file)).toEqual(['t1-camera.webm', 't2-camera.webm']);
    expect(cameras[1]!.startedAt).toBeGreaterThan(cameras[0]!.startedAt);
  },
);
