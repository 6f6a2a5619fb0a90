import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestOptionsSchema } from './options.js';
import { parseMediaPlaylist, withEndlist } from './playlist.js';
import {
  deleteRecording,
  getRecording,
  insertRecording,
  listRecordings,
  RecordingBusyError,
  recordingDir,
  renameRecording,
  setRecordingPublic,
  updateRecording,
} from './recordings.js';
import type { IngestDatabase } from './schema.js';
import { openDb, removeDir, tempDir } from './test-support/harness.js';

describe('recordings store', () => {
  let db: Kysely<IngestDatabase>;
  let dataDir: string;

  beforeEach(async () => {
    db = await openDb();
    dataDir = await tempDir();
  });
  afterEach(async () => {
    await db.destroy();
    await removeDir(dataDir);
  });

  async function seed(id: string, classId: string, startedAt: string) {
    await insertRecording(db, { id, classId, title: `t-${id}`, startedAt });
    await mkdir(recordingDir(dataDir, id), { recursive: true });
    await writeFile(join(recordingDir(dataDir, id), 'index.m3u8'), '#EXTM3U\n');
  }

  it('lists, renames, publishes and deletes', async () => {
    await seed('a1', 'c1', '2026-01-01T10:00:00.000Z');
    await seed('a2', 'c1', '2026-01-02T10:00:00.000Z');
    await seed('b1', 'c2', '2026-01-01T10:00:00.000Z');
    expect((await listRecordings(db, 'c1')).map((r) => r.id)).toEqual(['a2', 'a1']);

    const renamed = await renameRecording(db, 'a1', '  Algebra 1  ');
    expect(renamed).toMatchObject({
      id: 'a1',
      title: 'Algebra 1',
      status: 'live',
      isPublic: false,
    });
    await expect(renameRecording(db, 'a1', '   ')).rejects.toThrow(RangeError);
    expect(await renameRecording(db, 'nope', 'x')).toBeNull();
    expect((await setRecordingPublic(db, 'a1', true))?.isPublic).toBe(true);

    await expect(deleteRecording(db, join(dataDir, 'recordings'), 'a1')).rejects.toBeInstanceOf(
      RecordingBusyError,
    );
    await updateRecording(db, 'a1', { status: 'ready', durationMs: 1234.4, sizeBytes: 99 });
    expect(await getRecording(db, 'a1')).toMatchObject({ durationMs: 1234, sizeBytes: 99 });
    expect(await deleteRecording(db, join(dataDir, 'recordings'), 'a1')).toBe(true);
    expect(existsSync(recordingDir(dataDir, 'a1'))).toBe(false);
    expect(await getRecording(db, 'a1')).toBeNull();
    expect(await deleteRecording(db, join(dataDir, 'recordings'), 'a1')).toBe(false);
    expect(existsSync(recordingDir(dataDir, 'a2'))).toBe(true);
  });

  it('never builds a path outside recordings/', async () => {
    expect(await getRecording(db, '../x')).toBeNull();
    expect(() => recordingDir(dataDir, '../../etc')).toThrow('invalid recording id');
    expect(await deleteRecording(db, join(dataDir, 'recordings'), '../..')).toBe(false);
  });
});

describe('playlists', () => {
  it('appends #EXT-X-ENDLIST once', () => {
    const live = '#EXTM3U\n#EXTINF:1.000000,\nseg_00000.ts\n#EXTINF:0.5,\nseg_00001.ts';
    const vod = withEndlist(live);
    expect(vod.endsWith('seg_00001.ts\n#EXT-X-ENDLIST\n')).toBe(true);
    expect(withEndlist(vod)).toBe(vod);
    expect(parseMediaPlaylist(vod)).toEqual({
      ended: true,
      segments: [
        { uri: 'seg_00000.ts', durationSec: 1 },
        { uri: 'seg_00001.ts', durationSec: 0.5 },
      ],
    });
  });
});

describe('options', () => {
  const base = {
    dataDir: '/tmp/x',
    verifyStreamKey: async () => null,
    db: {},
    logger: { child: () => undefined },
    registry: { registerMetric: () => undefined },
  };
  it('applies defaults', () => {
    const o = ingestOptionsSchema.parse(base);
    expect(o).toMatchObject({
      port: 1935,
      reconnectGraceMs: 30_000,
      hls: { segmentSeconds: 2, lowLatency: false, ladder: [] },
    });
  });
  it('rejects bad values, naming the option at fault', () => {
    // The base is valid, so each failure below is the one bad value's.
    expect(ingestOptionsSchema.safeParse(base).success).toBe(true);
    const issuePaths = (input: unknown) => {
      const r = ingestOptionsSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(issuePaths({ ...base, verifyStreamKey: 'x' })).toEqual(['verifyStreamKey']);
    expect(issuePaths({ ...base, port: 70_000 })).toEqual(['port']);
    expect(
      issuePaths({
        ...base,
        hls: { ladder: [{ name: '../720p', height: 720, videoBitrateKbps: 2800 }] },
      }),
    ).toEqual(['hls.ladder.0.name']);
    expect(issuePaths({ ...base, maxBroadcastSeconds: -1 })).toEqual(['maxBroadcastSeconds']);
  });
});
