import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type BroadcastEvent, type IngestHandle, type IngestOptionsInput } from './index.js';
import type { IngestDatabase } from './schema.js';
import {
  captureLogger,
  ffprobe,
  openDb,
  playlistSegments,
  publish,
  readIfExists,
  rtmpUrl,
  tearDownIngest,
  tempDir,
  testIngestOptions,
  waitFor,
  type CapturedLog,
  type Publisher,
} from './test-support/harness.js';

const KEYS: Record<string, string> = { 'key-math': 'class-math', 'key-art': 'class-art' };

describe('rtmp ingest', () => {
  let dataDir: string;
  let db: Kysely<IngestDatabase>;
  let registry: Registry;
  let lines: CapturedLog[];
  let handle: IngestHandle | null;
  let publishers: Publisher[];

  async function startIngest(extra: Partial<IngestOptionsInput> = {}): Promise<IngestHandle> {
    const cap = captureLogger();
    lines = cap.lines;
    handle = await start({
      ...testIngestOptions({ dataDir, db, registry, logger: cap.logger }, KEYS),
      ...extra,
    });
    return handle;
  }

  function pub(key: string, opts?: { seconds?: number }): Publisher {
    const p = publish(rtmpUrl(handle!.port, key), opts);
    publishers.push(p);
    return p;
  }

  async function rows() {
    return db.selectFrom('recordings').selectAll().execute();
  }

  async function waitForSegments(dir: string, n: number): Promise<string> {
    return waitFor(
      async () => {
        const text = await readIfExists(join(dir, 'index.m3u8'));
        return text && playlistSegments(text).length >= n ? text : null;
      },
      30_000,
      `${n} segments`,
    );
  }

  async function waitForStatus(id: string, statuses: string[]) {
    return waitFor(
      async () => {
        const r = await handle!.recordings.get(id);
        return r && statuses.includes(r.status) ? r : null;
      },
      60_000,
      `recording ${statuses.join('|')}`,
    );
  }

  async function metric(name: string): Promise<number> {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
    return (m?.values ?? []).reduce((s, v) => s + v.value, 0);
  }

  async function expectFinalizedVod(id: string) {
    const dir = handle!.hlsDir(id);
    const playlist = (await readIfExists(join(dir, 'index.m3u8')))!;
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    const segs = playlistSegments(playlist);
    const listed = segs.reduce((a, b) => a + b, 0);
    const mp4 = await ffprobe(join(dir, 'recording.mp4'));
    expect(mp4).not.toBeNull();
    expect(mp4!.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    // ±1 segment
    expect(Math.abs(mp4!.durationSec! - listed)).toBeLessThanOrEqual(Math.max(...segs));
    expect(await readIfExists(join(dir, 'master.m3u8'))).toContain('index.m3u8');
    return { playlist, listed, mp4: mp4! };
  }

  beforeEach(async () => {
    dataDir = await tempDir();
    db = await openDb();
    registry = new Registry();
    handle = null;
    publishers = [];
  });

  afterEach(() => tearDownIngest({ publishers, handle, db, dataDir }));

  it('publishes to a live HLS playlist and finalizes a VOD after the publisher dies', async () => {
    await startIngest();
    const started: BroadcastEvent[] = [];
    const ended: BroadcastEvent[] = [];
    handle!.on('broadcastStarted', (e) => started.push(e));
    handle!.on('broadcastEnded', (e) => ended.push(e));

    const t0 = Date.now();
    const p = pub('key-math');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const { recordingId, classId } = started[0]!;
    expect(classId).toBe('class-math');
    expect(handle!.isLive('class-math')).toBe(true);
    expect(handle!.liveClasses()).toEqual([{ classId, recordingId }]);

    const dir = handle!.hlsDir(recordingId);
    await waitForSegments(dir, 1);
    console.log(`publish to first listed segment: ${Date.now() - t0} ms`);
    const live = await waitForSegments(dir, 3);
    expect(live).not.toContain('#EXT-X-ENDLIST');
    const probe = await ffprobe(join(dir, 'index.m3u8'));
    expect(probe?.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    expect((await handle!.recordings.get(recordingId))?.status).toBe('live');
    expect(await metric('educloud_ingest_active_broadcasts')).toBe(1);
    await waitFor(
      async () => (await metric('educloud_ingest_bitrate_bits')) > 0,
      10_000,
      'bitrate sample',
    );

    p.child.kill('SIGKILL');
    await waitFor(() => ended.length === 1, 30_000, 'broadcastEnded');
    expect(ended[0]).toEqual({ classId, recordingId });
    expect(handle!.isLive('class-math')).toBe(false);
    const rec = await waitForStatus(recordingId, ['ready', 'failed']);
    expect(rec.status).toBe('ready');
    const vod = await expectFinalizedVod(recordingId);
    expect(rec.durationMs).toBeGreaterThan(2000);
    expect(Math.abs(rec.durationMs! / 1000 - vod.mp4.durationSec!)).toBeLessThan(0.01);
    expect(rec.sizeBytes).toBeGreaterThan(0);
    expect(rec.endedAt).not.toBeNull();
    expect(existsSync(join(dir, 'packager.pid'))).toBe(false);
    expect(await metric('educloud_ingest_active_broadcasts')).toBe(0);
    expect(await metric('educloud_ingest_packager_restarts_total')).toBe(0);
  });

  it('refuses wrong and missing keys before anything is written', async () => {
    await startIngest();
    for (const key of ['wrong-key', '']) {
      const p = pub(key);
      expect(await p.exited).not.toBe(0);
    }
    const refusals = lines.filter(
      (l) => l.level >= 40 && /refused|invalid stream path/.test(l.msg),
    );
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    const ours = refusals.find((l) => l.msg === 'publish refused')!;
    expect(ours.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ours.reason).toBe('invalid stream key');
    expect(JSON.stringify(lines)).not.toContain('wrong-key');
    expect(await rows()).toHaveLength(0);
    expect(existsSync(join(dataDir, 'recordings'))).toBe(false);
    expect(handle!.liveClasses()).toEqual([]);
  });

  it('refuses a second publisher on a live key', async () => {
    await startIngest();
    const started: BroadcastEvent[] = [];
    handle!.on('broadcastStarted', (e) => started.push(e));
    pub('key-art');
    await waitFor(() => started.length === 1, 15_000, 'first publisher');
    await waitForSegments(handle!.hlsDir(started[0]!.recordingId), 1);

    const second = pub('key-art');
    expect(await second.exited).not.toBe(0);
    const refusal = lines.find((l) => l.msg === 'publish refused');
    expect(refusal?.reason).toBe('stream key already live');
    expect(refusal?.remoteAddress).toMatch(/^127\.0\.0\.1:/);
    // The first broadcast is unaffected.
    expect(handle!.isLive('class-art')).toBe(true);
    expect(await rows()).toHaveLength(1);
    const before = playlistSegments(
      (await readIfExists(join(handle!.hlsDir(started[0]!.recordingId), 'index.m3u8')))!,
    ).length;
    await waitForSegments(handle!.hlsDir(started[0]!.recordingId), before + 1);
  });

  it('continues the same recording when the publisher reconnects within the grace', async () => {
    // A short read timeout makes the first packager exit during the gap, so the resume exercises
    // a second ffmpeg appending to the playlist.
    await startIngest({ reconnectGraceMs: 6000, readTimeoutMs: 1000 });
    const started: BroadcastEvent[] = [];
    const ended: BroadcastEvent[] = [];
    handle!.on('broadcastStarted', (e) => started.push(e));
    handle!.on('broadcastEnded', (e) => ended.push(e));

    const first = pub('key-math');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const id = started[0]!.recordingId;
    const dir = handle!.hlsDir(id);
    await waitForSegments(dir, 2);
    first.child.kill('SIGKILL');
    await first.exited;
    await waitFor(
      async () => !existsSync(join(dir, 'packager.pid')),
      10_000,
      'first packager to exit',
    );
    const afterFirst = playlistSegments((await readIfExists(join(dir, 'index.m3u8')))!).length;
    expect(handle!.isLive('class-math')).toBe(true);

    const second = pub('key-math');
    await waitForSegments(dir, afterFirst + 2);
    second.child.kill('SIGKILL');
    await waitFor(() => ended.length === 1, 30_000, 'broadcastEnded');
    expect(started).toHaveLength(1);
    expect(ended[0]!.recordingId).toBe(id);
    expect((await waitForStatus(id, ['ready', 'failed'])).status).toBe('ready');
    const vod = await expectFinalizedVod(id);
    // append_list opens every packager's run with a discontinuity: two runs, two tags.
    expect(vod.playlist.match(/#EXT-X-DISCONTINUITY/g)?.length).toBeGreaterThanOrEqual(2);
    expect(playlistSegments(vod.playlist).length).toBeGreaterThanOrEqual(afterFirst + 2);
    expect(await rows()).toHaveLength(1);
    expect(await metric('educloud_ingest_packager_restarts_total')).toBe(0);
  });

  it('close() stops the packager gracefully and finalizes a live recording', async () => {
    await startIngest({ reconnectGraceMs: 30_000 });
    const started: BroadcastEvent[] = [];
    handle!.on('broadcastStarted', (e) => started.push(e));
    const p = pub('key-art');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const id = started[0]!.recordingId;
    await waitForSegments(handle!.hlsDir(id), 2);
    await handle!.close();
    // close() itself dropped the publisher: ffmpeg fails with an error of its own (a number, not
    // a kill signal's null), and it does so promptly rather than streaming on.
    const code = await Promise.race([
      p.exited,
      new Promise<'still publishing'>((r) => setTimeout(() => r('still publishing'), 15_000)),
    ]);
    expect(code).toEqual(expect.any(Number));
    expect(code).not.toBe(0);
    const row = (await rows())[0]!;
    expect(row.status).toBe('ready');
    await expectFinalizedVod(id);
  });

  it('restarts a packager that dies while the publisher is live', async () => {
    await startIngest();
    const started: BroadcastEvent[] = [];
    handle!.on('broadcastStarted', (e) => started.push(e));
    const p = pub('key-math');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const dir = handle!.hlsDir(started[0]!.recordingId);
    await waitForSegments(dir, 2);
    const pid = Number(await readIfExists(join(dir, 'packager.pid')));
    process.kill(pid, 'SIGKILL');
    await waitFor(
      async () => (await metric('educloud_ingest_packager_restarts_total')) === 1,
      15_000,
      'restart',
    );
    const before = playlistSegments((await readIfExists(join(dir, 'index.m3u8')))!).length;
    await waitForSegments(dir, before + 2);
    const newPid = Number(await readIfExists(join(dir, 'packager.pid')));
    expect(newPid).not.toBe(pid);
    p.child.kill('SIGKILL');
  });

  it('packages an optional ladder with a master playlist', async () => {
    await startIngest({
      hls: {
        segmentSeconds: 2,
        lowLatency: true,
        ladder: [{ name: '180p', height: 180, videoBitrateKbps: 300, audioBitrateKbps: 64 }],
      },
    });
    const started: BroadcastEvent[] = [];
    handle!.on('broadcastStarted', (e) => started.push(e));
    const p = pub('key-art');
    await waitFor(() => started.length === 1, 15_000, 'broadcastStarted');
    const id = started[0]!.recordingId;
    const dir = handle!.hlsDir(id);
    const rendition = await waitFor(
      async () => {
        const t = await readIfExists(join(dir, '180p', 'index.m3u8'));
        return t && playlistSegments(t).length >= 2 ? t : null;
      },
      30_000,
      'rendition segments',
    );
    // lowLatency: 1 s segments, which the encoded rendition honours exactly.
    expect(rendition).toContain('#EXT-X-TARGETDURATION:1');
    p.child.kill('SIGKILL');
    expect((await waitForStatus(id, ['ready', 'failed'])).status).toBe('ready');
    const master = (await readIfExists(join(dir, 'master.m3u8')))!;
    expect(master).toContain('180p/index.m3u8');
    const renditionVod = (await readIfExists(join(dir, '180p', 'index.m3u8')))!;
    expect(renditionVod.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const probe = await ffprobe(join(dir, 'master.m3u8'));
    expect(probe?.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    expect(await readdir(join(dir, '180p'))).toEqual(
      expect.arrayContaining(['index.m3u8', 'seg_00000.ts']),
    );
  });
});
