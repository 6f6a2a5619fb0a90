/**
 * The MP4 export follows the active speaker: a class recorded for real (mediasoup worker, the
 * recorder's ffmpegs, Socket.IO clients) with two cameras of distinct solid colours, a speaker
 * switch on its timeline, exported through the API; frames of the MP4 are decoded to see whose
 * camera it shows before and after the switch.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '@educloud/protocol';
import { startSyntheticProducer, type SyntheticProducer } from '@educloud/sfu';
import { LiveClient } from '../test-support/live-client.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { classWithStudents } from '../test-support/class-with-students.js';
import {
  exportWhenReady,
  replayPath,
  replayWhenReady,
  videoTracksStarted,
} from '../test-support/class-replay.js';
import { colourName, frameColour } from '../test-support/frame-colour.js';
import { signUp } from '../test-support/sign-up.js';

let s: TestServer;
let teacher: string;
let student: string;
let classId: string;
const clients: LiveClient[] = [];
const feeds: SyntheticProducer[] = [];

async function enter(token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  await c.connected();
  const r = await c.ok('class:join', { classId });
  return { c, peerId: r.peerId };
}

beforeAll(async () => {
  s = await startTestServer({ MIN_FREE_DISK_BYTES: '0' });
  teacher = (await signUp(s, 'teacher@sx.test', 'teacher')).token;
  student = (await signUp(s, 'student@sx.test', 'student')).token;
  classId = await classWithStudents(s, teacher, 'Speakers', [student]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(feeds.map((f) => f.stop()));
  await s?.stop();
}, 60_000);

describe('MP4 export', { timeout: 180_000 }, () => {
  it("shows the active speaker's camera: the teacher's before the switch, the student's after", async () => {
    const t = await enter(teacher);
    await t.c.ok('class:start', {});
    const st = await enter(student);
    // The teacher's camera is red, the student's blue; the teacher's microphone for the mix.
    const room = s.sfu.classRooms(classId).main!;
    const red = await startSyntheticProducer(room, {
      peerId: t.peerId,
      kind: 'video',
      colour: 'red',
    });
    const blue = await startSyntheticProducer(room, {
      peerId: st.peerId,
      kind: 'video',
      colour: 'blue',
    });
    // mediasoup's observer names a lone microphone the dominant speaker as soon as it is added:
    // that must happen before the recording starts, so the timeline's speakers are the test's.
    const observed = new Promise<void>((resolve) => {
      const heard = (e: { peerId: string }) => {
        if (e.peerId !== t.peerId) return;
        room.off('activeSpeaker', heard);
        resolve();
      };
      room.on('activeSpeaker', heard);
    });
    const mic = await startSyntheticProducer(room, { peerId: t.peerId, kind: 'audio' });
    feeds.push(red, blue, mic);
    // (Bounded: a worker that stays silent about it leaves nothing to wait for.)
    await Promise.race([observed, new Promise((r) => setTimeout(r, 10_000))]);

    const { recordingId } = await t.c.ok('recording:start', {});
    const dir = join(s.dataDir, 'recordings', recordingId!);
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Both cameras are being written (a track starts a second or more after "start"); then
    // the student speaks, then the teacher, then the student again.
    await videoTracksStarted(dir, 2);
    await wait(1500);
    // mediasoup's observer needs audio-level header extensions, which ffmpeg's RTP does not
    // send: its output event is raised on the room here.
    const speak = (peerId: string, producerId: string) =>
      room.emit('activeSpeaker', { peerId, producerId });
    speak(st.peerId, blue.producerId);
    await wait(2500);
    speak(t.peerId, mic.producerId);
    await wait(3000);
    speak(st.peerId, blue.producerId);
    await wait(3000);
    await t.c.ok('recording:stop', {});

    const path = replayPath(classId, recordingId!);
    const replay = await replayWhenReady(s, path, teacher);
    const cams = replay.manifest.tracks.filter((x) => x.kind === 'video' && x.file);
    expect(cams).toHaveLength(2);
    const speakers = replay.timeline.filter(
      (e): e is Extract<TimelineEvent, { type: 'speaker' }> => e.type === 'speaker',
    );
    expect(speakers.map((e) => e.peerId)).toEqual([st.peerId, t.peerId, st.peerId]);
    const at = (e: { at: number }) => (e.at - replay.manifest.startedAt) / 1000;
    const [toStudent, toTeacher, backToStudent] = speakers.map(at) as [number, number, number];
    // Both cameras were being written across the switches (else the test shows nothing).
    for (const cam of cams) {
      expect((cam.startedAt - replay.manifest.startedAt) / 1000).toBeLessThan(toStudent);
      expect((cam.endedAt! - replay.manifest.startedAt) / 1000).toBeGreaterThan(backToStudent);
    }

    const progress: number[] = [];
    await exportWhenReady(s, path, teacher, { seen: (e) => progress.push(e.progress) });
    expect(progress.at(-1)).toBe(1);

    const mp4 = join(dir, 'export.mp4');
    // Half a second inside each speaker's turn (a camera's last frame may still show at the cut).
    const shots = [
      { at: (toStudent + toTeacher) / 2, shows: 'blue' },
      { at: toTeacher + 0.5, shows: 'red' },
      { at: backToStudent - 0.5, shows: 'red' },
      { at: backToStudent + 0.5, shows: 'blue' },
    ];
    const seen = [];
    for (const shot of shots)
      seen.push({ at: shot.at, shows: colourName(await frameColour(mp4, shot.at)) });
    expect(seen).toEqual(shots);
  });
});
