/**
 * What keeps broadcasts from filling the disk or leaking secrets, with real ffmpeg publishers:
 * the free-space floor, the composition root's admission rule (the teacher quota), the maximum
 * length, removal of a deleted class's recordings, and what reaches the logs and metrics.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  start,
  type AdmitBroadcast,
  type BroadcastEvent,
  type IngestHandle,
  type IngestOptionsInput,
} from './index.js';
import { insertRecording, recordingDir, updateRecording } from './recordings.js';
import type { IngestDatabase } from './schema.js';
import {
  captureLogger,
  openDb,
  publish,
  rtmpUrl,
  tearDownIngest,
  tempDir,
  testIngestOptions,
  waitFor,
  type CapturedLog,
  type Publisher,
} from './test-support/harness.js';

const KEYS: Record<string, string> = {
  'key-limits-math': 'class-math',
  'key-limits-art': 'class-art',
};

describe('broadcast limits', () => {
  let dataDir: string;
  let db: Kysely<IngestDatabase>;
  let registry: Registry;
  let lines: CapturedLog[];
  let handle: IngestHandle | null;
  let publishers: Publisher[];
  let started: BroadcastEvent[];
  let ended: BroadcastEvent[];

  async function startIngest(extra: Partial<IngestOptionsInput> = {}): Promise<IngestHandle> {
    const cap = captureLogger();
    lines = cap.lines;
    handle = await start({
      ...testIngestOptions({ dataDir, db, registry, logger: cap.logger }, KEYS),
      ...extra,
    });
    handle.on('broadcastStarted', (e) => started.push(e));
    handle.on('broadcastEnded', (e) => ended.push(e));
    return handle;
  }

  function pub(key: string, seconds?: number): Publisher {
    const p = publish(rtmpUrl(handle!.port, key), { seconds });
    publishers.push(p);
    return p;
  }

  /** ffmpeg's exit code, or 'still running' after 15 s. */
  function exitOf(p: Publisher) {
    return Promise.race([
      p.exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000)),
    ]);
  }

  async function rows() {
    return db.selectFrom('recordings').selectAll().execute();
  }

  beforeEach(async () => {
    dataDir = await tempDir();
    db = await openDb();
    registry = new Registry();
    handle = null;
    publishers = [];
    started = [];
    ended = [];
  });

  afterEach(() => tearDownIngest({ publishers, handle, db, dataDir }));

  it('refuses a new broadcast while the disk is nearly full, and says why', async () => {
    await startIngest({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
    // 3 s of media: an accepting server would let ffmpeg finish with 0.
    const code = await exitOf(pub('key-limits-math', 3));
    expect(code).toEqual(expect.any(Number));
    expect(code).not.toBe(0);
    const refusal = lines.find((l) => l.msg === 'publish refused');
    expect(refusal?.reason).toMatch(/^The server's disk is nearly full \(.+ free, .+ required\)/);
    expect(handle!.notice('class-math')).toMatchObject({
      code: 'disk_full',
      message: refusal!.reason,
    });
    expect(handle!.notice('class-art')).toBeNull();
    expect(await rows()).toHaveLength(0);
    expect(existsSync(join(dataDir, 'recordings'))).toBe(false);
  });

  it('refuses what the admission rule refuses (a quota), and admits once it allows', async () => {
    let refuse = true;
    const asked: string[] = [];
    const admitBroadcast: AdmitBroadcast = async (classId) => {
      asked.push(classId);
      return refuse ? { code: 'quota_exceeded', message: 'Over quota: 2 GiB of 1 GiB' } : null;
    };
    // A real free-space floor that this disk passes.
    await startIngest({ admitBroadcast, minFreeDiskBytes: 1024 * 1024 });
    const code = await exitOf(pub('key-limits-math', 3));
    expect(code).toEqual(expect.any(Number));
    expect(code).not.toBe(0);
    expect(asked).toEqual(['class-math']);
    expect(lines.find((l) => l.msg === 'publish refused')?.reason).toBe(
      'Over quota: 2 GiB of 1 GiB',
    );
    expect(handle!.notice('class-math')).toMatchObject({ code: 'quota_exceeded' });
    expect(await rows()).toHaveLength(0);

    refuse = false;
    pub('key-limits-math');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    expect(started[0]!.classId).toBe('class-math');
    // A broadcast that started clears the old refusal.
    expect(handle!.notice('class-math')).toBeNull();
  });

  it('stops a broadcast at its maximum length, and OBS reconnecting does not restart it', async () => {
    // A reconnect grace far longer than the test: the stop must not wait for it.
    await startIngest({ maxBroadcastSeconds: 6, reconnectGraceMs: 60_000 });
    const p = pub('key-limits-art');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const { recordingId } = started[0]!;
    const code = await exitOf(p);
    expect(code).toEqual(expect.any(Number));
    expect(code).not.toBe(0);
    await waitFor(() => ended.length === 1, 20_000, 'broadcastEnded');
    expect(handle!.isLive('class-art')).toBe(false);
    const rec = await waitFor(
      async () => {
        const r = await handle!.recordings.get(recordingId);
        return r && (r.status === 'ready' || r.status === 'failed') ? r : null;
      },
      30_000,
      'the recording to be finalized',
    );
    const finalized = lines.find((l) => l.msg === 'recording finalized');
    expect(rec.status, JSON.stringify(finalized)).toBe('ready');
    // 6 s of limit at most, give or take a segment.
    expect(rec.durationMs).toBeGreaterThan(1000);
    expect(rec.durationMs).toBeLessThan(8000);
    expect(handle!.notice('class-art')).toMatchObject({
      code: 'max_length_reached',
      message: expect.stringContaining('maximum length (6 s)'),
    });
    // As OBS's automatic reconnect would: refused for the cool-down, no new recording.
    const again = await exitOf(pub('key-limits-art', 3));
    expect(again).toEqual(expect.any(Number));
    expect(again).not.toBe(0);
    expect(lines.filter((l) => l.msg === 'publish refused').at(-1)?.reason).toMatch(
      /^The last broadcast reached the server's maximum length \(6 s\); a new one can start at \d\d:\d\d UTC\.$/,
    );
    expect(started).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
  });

  it('stops running broadcasts when the disk gets almost full, keeping the recording', async () => {
    // The one stand-in: how full the disk is (ffmpeg, RTMP and the files are real).
    let free = 10 * 2 ** 30;
    await startIngest({ minFreeDiskBytes: 2 ** 30, freeDiskBytes: async () => free });
    const p = pub('key-limits-math');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const { recordingId } = started[0]!;
    await waitFor(
      () => existsSync(join(recordingDir(dataDir, recordingId), 'seg_00001.ts')),
      20_000,
      'two segments',
    );
    expect(handle!.isLive('class-math')).toBe(true);
    free = 100 * 2 ** 20;
    await waitFor(() => ended.length === 1, 20_000, 'broadcastEnded');
    const code = await exitOf(p);
    expect(code).toEqual(expect.any(Number));
    expect(code).not.toBe(0);
    expect(handle!.notice('class-math')).toMatchObject({
      code: 'disk_full',
      message: expect.stringContaining('almost full (100.0 MiB free)'),
    });
    const rec = await waitFor(
      async () => {
        const r = await handle!.recordings.get(recordingId);
        return r && (r.status === 'ready' || r.status === 'failed') ? r : null;
      },
      30_000,
      'the recording to be finalized',
    );
    expect(rec.status).toBe('ready');
  });

  it("removes a deleted class's recordings, stopping its live broadcast first", async () => {
    await startIngest();
    // A finished recording of the class and one of another class.
    for (const [id, classId] of [
      ['old-art', 'class-art'],
      ['old-math', 'class-math'],
    ] as const) {
      await insertRecording(db, { id, classId, title: id, startedAt: new Date().toISOString() });
      await updateRecording(db, id, { status: 'ready', sizeBytes: 10 });
      await mkdir(recordingDir(dataDir, id), { recursive: true });
    }
    const p = pub('key-limits-art');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const live = started[0]!.recordingId;
    await waitFor(() => existsSync(join(recordingDir(dataDir, live), 'index.m3u8')), 15_000, 'hls');

    expect(await handle!.recordings.deleteForClass('class-art')).toBe(2);
    expect(handle!.isLive('class-art')).toBe(false);
    expect(await exitOf(p)).toEqual(expect.any(Number));
    expect((await rows()).map((r) => r.id)).toEqual(['old-math']);
    expect(existsSync(recordingDir(dataDir, live))).toBe(false);
    expect(existsSync(recordingDir(dataDir, 'old-art'))).toBe(false);
    expect(existsSync(recordingDir(dataDir, 'old-math'))).toBe(true);
    expect(await handle!.recordings.bytesUsed(['class-math', 'class-art'])).toBe(10);
  });

  it('keeps class ids out of metrics and stream keys out of logs, spawn errors included', async () => {
    // An ffmpeg that works at start (the boot check) and is gone when a broadcast needs it.
    const real = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
    const ffmpegPath = join(dataDir, 'ffmpeg-link');
    await symlink(real, ffmpegPath);
    await startIngest({ ffmpegPath });
    await unlink(ffmpegPath);
    pub('key-limits-math');
    await waitFor(
      () => lines.find((l) => l.msg === 'packager could not be spawned'),
      15_000,
      'the spawn error',
    );
    await waitFor(
      async () =>
        (await registry.getMetricsAsJSON()).find((m) => m.name === 'educloud_ingest_bitrate_bits')
          ?.values[0]?.value,
      10_000,
      'a bitrate sample',
    );
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^educloud_ingest_bitrate_bits \d+$/m);
    expect(metrics).not.toContain('class-math');
    const logged = JSON.stringify(lines);
    expect(logged).toContain('ENOENT');
    expect(logged).not.toContain('key-limits-math');
  });
});
