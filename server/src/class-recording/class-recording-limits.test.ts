import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ingestMigrations,
  insertRecording,
  listRecordings,
  recordingPath,
  updateRecording,
  type IngestDatabase,
} from '@educloud/rtmp-ingest';
import type { Sfu } from '@educloud/sfu';
import { openDatabase } from '../database.js';
import { ClassRecordings } from './class-recordings.js';
import { deleteExpiredRecordings } from './recording-retention.js';

const logger = pino({ level: 'silent' });
let dataDir: string;
let db: Kysely<IngestDatabase>;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'class-rec-limits-'));
  db = (await openDatabase({ dataDir }, ingestMigrations)) as Kysely<IngestDatabase>;
});

afterEach(async () => {
  await db.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

// The media plane is never reached when a start is refused.
const noSfu = {} as Sfu;
const teacher = { userId: 'u1', name: 'Teacher' };

describe('starting a class recording', () => {
  it('is refused with a clear message when the disk would fill, and records nothing', async () => {
    const rec = new ClassRecordings({
      db,
      recordingsDir: dataDir,
      nodeId: 'node-test',
      sfu: noSfu,
      logger,
      minFreeDiskBytes: 2 ** 30,
      freeDiskBytes: async () => 5 * 2 ** 20,
    });
    await expect(
      rec.start('class-1', teacher, { participants: [], onStage: null, page: null }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/disk is almost full \(5(\.0)? MiB free/),
    });
    expect(await listRecordings(db, 'class-1')).toEqual([]);
    expect(rec.status('class-1').recording).toBe(false);
  });

  it("is refused when the teacher's quota is used up", async () => {
    const rec = new ClassRecordings({
      db,
      recordingsDir: dataDir,
      nodeId: 'node-test',
      sfu: noSfu,
      logger,
      minFreeDiskBytes: 0,
      admit: async () => ({ message: 'The recordings of this teacher use 20 GiB of 20 GiB' }),
    });
    await expect(
      rec.start('class-1', teacher, { participants: [], onStage: null, page: null }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('20 GiB of 20 GiB'),
    });
    expect(await listRecordings(db, 'class-1')).toEqual([]);
  });

  it('started automatically as the class goes live, a refusal comes back to tell the teachers', async () => {
    const rec = new ClassRecordings({
      db,
      recordingsDir: dataDir,
      nodeId: 'node-test',
      sfu: noSfu,
      logger,
      minFreeDiskBytes: 2 ** 30,
      freeDiskBytes: async () => 5 * 2 ** 20,
      autoRecord: async () => true,
    });
    expect(
      await rec.classStarted('class-1', teacher, { participants: [], onStage: null, page: null }),
    ).toEqual({
      recording: false,
      recordingId: null,
      startedAt: null,
      refused: { code: 'conflict', message: expect.stringMatching(/disk is almost full/) },
    });
    expect(await listRecordings(db, 'class-1')).toEqual([]);
  });

  it('stopping a class that is not recorded is a conflict', async () => {
    const rec = new ClassRecordings({
      db,
      recordingsDir: dataDir,
      nodeId: 'node-test',
      sfu: noSfu,
      logger,
      minFreeDiskBytes: 0,
    });
    await expect(rec.stop('class-1')).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('retention', () => {
  it('deletes finished recordings older than the retention, rows and files, and keeps the rest', async () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const day = 24 * 3600_000;
    const make = async (
      id: string,
      ageDays: number,
      status: 'ready' | 'live',
      kind: 'class' | 'broadcast',
    ) => {
      await insertRecording(db, {
        id,
        classId: 'c',
        title: id,
        kind,
        startedAt: new Date(now - ageDays * day).toISOString(),
      });
      await updateRecording(db, id, { status });
      await mkdir(recordingPath(dataDir, id), { recursive: true });
    };
    await make('old-class', 10, 'ready', 'class');
    await make('old-broadcast', 8, 'ready', 'broadcast');
    await make('recent', 2, 'ready', 'class');
    await make('old-but-live', 30, 'live', 'class');
    expect(await deleteExpiredRecordings({ db, recordingsDir: dataDir, days: 7, now })).toBe(2);
    expect((await listRecordings(db, 'c')).map((r) => r.id).sort()).toEqual([
      'old-but-live',
      'recent',
    ]);
    await expect(stat(recordingPath(dataDir, 'old-class'))).rejects.toThrow();
    expect(await deleteExpiredRecordings({ db, recordingsDir: dataDir, days: 0, now })).toBe(0);
  });
});
