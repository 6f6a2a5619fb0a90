/**
 * Several nodes share the database and the recordings directory: a node starting up finalizes
 * the recordings it was writing itself (and ownerless ones from before nodes were told apart),
 * never those another node is writing right now.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { getRecording, insertRecording, listUnfinishedRecordings } from './recordings.js';
import { recoverRecordings } from './recovery.js';
import type { IngestDatabase } from './schema.js';
import { captureLogger, openDb, removeDir, tempDir } from './test-support/harness.js';

let db: Kysely<IngestDatabase>;
let recordingsDir: string;

beforeEach(async () => {
  db = await openDb();
  recordingsDir = await tempDir();
});
afterEach(async () => {
  await db.destroy();
  await removeDir(recordingsDir);
});

async function seed(id: string, nodeId: string | undefined) {
  await insertRecording(db, {
    id,
    classId: 'c1',
    title: id,
    startedAt: new Date().toISOString(),
    nodeId,
  });
  // A broadcast cut before its first segment: recovery marks it failed, quickly.
  await mkdir(join(recordingsDir, id), { recursive: true });
  await writeFile(join(recordingsDir, id, 'index.m3u8'), '#EXTM3U\n');
}

it("recovers only its own node's and ownerless recordings", async () => {
  await seed('mine', 'node-a');
  await seed('theirs', 'node-b');
  await seed('legacy', undefined);

  const listed = await listUnfinishedRecordings(db, 'node-a');
  expect(listed.map((r) => r.id).sort()).toEqual(['legacy', 'mine']);

  const recovered = await recoverRecordings({
    db,
    recordingsDir,
    nodeId: 'node-a',
    logger: captureLogger().logger,
    ffmpegPath: 'ffmpeg',
    ffprobePath: 'ffprobe',
  });
  expect(recovered.map((r) => r.id).sort()).toEqual(['legacy', 'mine']);
  expect((await getRecording(db, 'mine'))?.status).not.toBe('live');
  // Node B's broadcast is still being written: untouched, row and files.
  expect((await getRecording(db, 'theirs'))?.status).toBe('live');
  expect(await listUnfinishedRecordings(db, 'node-b')).toEqual([
    expect.objectContaining({ id: 'theirs', status: 'live' }),
  ]);
});
