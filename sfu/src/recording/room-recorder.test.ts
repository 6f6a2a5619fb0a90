import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type Room, type Sfu } from '../index.js';
import { countPackets, finalizeTrack, listSegments, probeDurationMs } from './finalize-track.js';
import { RoomRecorder, type RecordedTrackInfo } from './room-recorder.js';
import { startSyntheticProducer, type SyntheticProducer } from './synthetic-producer.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' };

let sfu: Sfu;
let room: Room;
let dir: string;
const feeds: SyntheticProducer[] = [];
const recorders: RoomRecorder[] = [];

beforeEach(async () => {
  sfu = await start({
    logger,
    registry: new Registry(),
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
  });
  room = await sfu.createRoom('class-rec');
  dir = await mkdtemp(join(tmpdir(), 'room-recorder-'));
});

afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.stop()));
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
  await sfu.close();
  await rm(dir, { recursive: true, force: true });
});

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function segmentsOf(t: RecordedTrackInfo) {
  return listSegments(join(dir, t.segmentsDir));
}

// Real ffmpeg processes on a shared 2-core machine: generous bounds, no timing assertions.
describe('RoomRecorder', { timeout: 180_000 }, () => {
  it('records every producer into segments, follows producers added and removed, and joins them', async () => {
    feeds.push(await startSyntheticProducer(room, { peerId: 'teacher', kind: 'video' }));
    feeds.push(await startSyntheticProducer(room, { peerId: 'teacher', kind: 'audio' }));
    const started: RecordedTrackInfo[] = [];
    const ended: RecordedTrackInfo[] = [];
    const rec = RoomRecorder.start({
      room,
      dir,
      ffmpegPath: 'ffmpeg',
      logger,
      segmentSeconds: 1,
      onTrackStarted: (t) => started.push(t),
      onTrackEnded: (t) => ended.push(t),
    });
    recorders.push(rec);
    await rec.settled();
    expect(rec.activeTracks.map((t) => `${t.kind}:${t.source}`).sort()).toEqual([
      'audio:mic',
      'video:camera',
    ]);
    // A student arrives mid-recording, and leaves again.
    const late = await startSyntheticProducer(room, { peerId: 'student', kind: 'video' });
    feeds.push(late);
    await until(() => started.length === 3, 'the late producer to be recorded');
    const lateTrack = started.find((t) => t.peerId === 'student')!;
    await until(async () => (await segmentsOf(lateTrack)).length >= 2, 'the late track segments');
    room.leave('student');
    await until(() => ended.some((t) => t.peerId === 'student'), 'the late track to end');
    // Several segments of the teacher's video before stopping.
    const camera = started.find((t) => t.source === 'camera')!;
    await until(async () => (await segmentsOf(camera)).length >= 3, 'camera segments');
    const tracks = await rec.stop();
    expect(tracks).toHaveLength(3);
    expect(() => room.peer(rec.peerId)).toThrow();
    for (const t of tracks) {
      expect(t.endedAt).not.toBeNull();
      // The replayable file was written beside the segments and closed on stop: nothing to join.
      expect(t.replayWritten).toBe(true);
      const replay = join(dir, `${t.trackId}.${t.finalExt}`);
      expect(await countPackets('ffprobe', replay)).toBeGreaterThan(0);
      expect(await probeDurationMs('ffprobe', replay)).toBeGreaterThan(500);
      const segs = await segmentsOf(t);
      expect(segs.length).toBeGreaterThan(0);
      expect(await countPackets('ffprobe', join(dir, t.segmentsDir, segs[0]!))).toBeGreaterThan(0);
      const out = join(dir, `${t.trackId}.${t.finalExt}`);
      const done = await finalizeTrack(join(dir, t.segmentsDir), out, tools);
      expect(done?.durationMs).toBeGreaterThan(500);
    }
    expect(tracks.find((t) => t.kind === 'video')?.finalExt).toBe('webm');
    expect((await readdir(dir)).filter((n) => n.endsWith('.webm'))).toHaveLength(3);
  });

  it('records a producer that ignores key frame requests once it sends one', async () => {
    // The synthetic encoder ignores requests and sends a key frame every 6 s only: the track
    // waits for one, then segments (cut at key frames only) are written; nothing crashes.
    feeds.push(
      await startSyntheticProducer(room, { peerId: 'p', kind: 'video', keyIntSeconds: 6 }),
    );
    // Its first key frame goes by before the recorder is there: the next one is seconds away.
    await new Promise((r) => setTimeout(r, 2000));
    const rec = RoomRecorder.start({ room, dir, ffmpegPath: 'ffmpeg', logger, segmentSeconds: 1 });
    recorders.push(rec);
    await rec.settled();
    const anySegment = async () => {
      const dirs = await readdir(join(dir, 'tracks')).catch(() => [] as string[]);
      for (const d of dirs)
        if ((await listSegments(join(dir, 'tracks', d))).length >= 2) return true;
      return false;
    };
    await until(anySegment, 'two segments');
    const tracks = await rec.stop();
    const withMedia = [];
    for (const t of tracks) {
      const out = join(dir, `${t.trackId}.webm`);
      const done = await finalizeTrack(join(dir, t.segmentsDir), out, tools);
      if (done) withMedia.push({ ...done, span: t.endedAt! - t.startedAt });
    }
    expect(withMedia.length).toBeGreaterThan(0);
    expect(withMedia[0]!.durationMs).toBeGreaterThan(1000);
    // The track starts at its first key frame, not at the resume seconds before it: its span
    // is the file's length, so the export and the replay place the picture in time.
    expect(Math.abs(withMedia[0]!.span - withMedia[0]!.durationMs)).toBeLessThan(1000);
  });

  it('asks for a key frame when the sender loses packets, and keeps recording', async () => {
    // One packet in 40 of the camera is lost before the SFU: its score falls, the recorder asks
    // for key frames beyond the regular ones (segment length 60 s: none of those in the test).
    feeds.push(await startSyntheticProducer(room, { peerId: 'p', kind: 'video', dropEvery: 40 }));
    const rec = RoomRecorder.start({
      room,
      dir,
      ffmpegPath: 'ffmpeg',
      logger,
      segmentSeconds: 60,
      lossCheckMs: 500,
    });
    recorders.push(rec);
    await rec.settled();
    await until(() => rec.keyFramesAfterLoss > 0, 'a key frame requested after loss');
    const [live] = rec.activeTracks;
    await until(
      () =>
        stat(join(dir, `${live!.trackId}.webm.part`)).then(
          (s) => s.size > 20_000,
          () => false,
        ),
      'media to be written',
    );
    const [track] = await rec.stop();
    expect(track?.replayWritten).toBe(true);
    expect(await countPackets('ffprobe', join(dir, `${track!.trackId}.webm`))).toBeGreaterThan(0);
  });

  it('keeps on disk what it received of a producer that sends no key frame for a minute', async () => {
    // The producer's first frame is its only key frame; 70 s of clip follow without one (sent
    // at 4x speed to keep the test short) while it ignores key frame requests. No segment can be
    // cut, so the newest segment holds the whole minute: what a kill -9 leaves of it must be
    // all but the last second, and the track must go on (not restarted) and be whole on stop.
    const rec = RoomRecorder.start({ room, dir, ffmpegPath: 'ffmpeg', logger, segmentSeconds: 1 });
    // Open and resumed (the track's own start waits for that key frame).
    const recording = (async () => {
      await until(() => rec.activeTracks.length === 1, 'the track opened');
      await rec.settled();
    })();
    recorders.push(rec);
    const clipMs = 70_000;
    const feed = await startSyntheticProducer(room, {
      peerId: 'p',
      kind: 'video',
      keyIntSeconds: 1000,
      clipSeconds: clipMs / 1000,
      once: true,
      speed: 4,
      // Its one key frame must reach a consumer that is already recording.
      sendAfter: recording,
    });
    feeds.push(feed);
    await feed.sent;
    const [live] = rec.activeTracks;
    expect(rec.activeTracks).toHaveLength(1);

    // What a kill -9 would leave now: the segments as they are on disk, finalized as recovery does.
    const crashCopy = join(dir, 'crash-copy');
    await cp(join(dir, live!.segmentsDir), crashCopy, { recursive: true });
    expect(await listSegments(crashCopy)).toHaveLength(1);
    const recovered = await finalizeTrack(crashCopy, join(dir, 'recovered.webm'), tools);
    expect(recovered?.durationMs).toBeGreaterThan(clipMs - 2000);

    const tracks = await rec.stop();
    expect(tracks.map((t) => t.trackId)).toEqual([live!.trackId]);
    expect(tracks[0]!.replayWritten).toBe(true);
    expect(await probeDurationMs('ffprobe', join(dir, `${live!.trackId}.webm`))).toBeGreaterThan(
      clipMs - 1000,
    );
  });
});
