import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely, Selectable } from 'kysely';
import type { RecordingKind } from '@educloud/protocol';
import type { IngestDatabase, RecordingStatus, RecordingsTable } from './schema.js';

export interface Recording {
  id: string;
  kind: RecordingKind;
  classId: string;
  title: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  sizeBytes: number | null;
  status: RecordingStatus;
  isPublic: boolean;
  /** Directory relative to the ingest data dir. */
  dir: string;
}

export class RecordingBusyError extends Error {
  readonly code = 'RECORDING_BUSY';
  constructor(id: string) {
    super(`recording ${id} is still live or being finalized`);
  }
}

const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

export function isRecordingId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** Relative directory of a recording; ids are validated so the path never leaves recordings/. */
export function recordingRelDir(id: string): string {
  if (!isRecordingId(id)) throw new Error(`invalid recording id`);
  return join('recordings', id);
}

/** A recording's directory in the default layout, `<dataDir>/recordings/<id>`. */
export function recordingDir(dataDir: string, id: string): string {
  return join(dataDir, recordingRelDir(id));
}

/** A recording's directory under a recordings root (shared storage when configured). */
export function recordingPath(recordingsDir: string, id: string): string {
  if (!isRecordingId(id)) throw new Error(`invalid recording id`);
  return join(recordingsDir, id);
}

function toNumber(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}

function toRecording(row: Selectable<RecordingsTable>): Recording {
  return {
    id: row.id,
    kind: row.kind,
    classId: row.class_id,
    title: row.title,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: toNumber(row.duration_ms),
    sizeBytes: toNumber(row.size_bytes),
    status: row.status,
    isPublic: Number(row.is_public) === 1,
    dir: row.dir,
  };
}

export async function insertRecording(
  db: Kysely<IngestDatabase>,
  r: {
    id: string;
    classId: string;
    title: string;
    startedAt: string;
    nodeId?: string;
    kind?: RecordingKind;
  },
): Promise<void> {
  await db
    .insertInto('recordings')
    .values({
      id: r.id,
      class_id: r.classId,
      title: r.title,
      started_at: r.startedAt,
      ended_at: null,
      duration_ms: null,
      size_bytes: null,
      status: 'live',
      dir: recordingRelDir(r.id),
      node_id: r.nodeId ?? null,
      kind: r.kind ?? 'broadcast',
    })
    .execute();
}

export async function updateRecording(
  db: Kysely<IngestDatabase>,
  id: string,
  patch: Partial<{
    status: RecordingStatus;
    endedAt: string;
    durationMs: number;
    sizeBytes: number;
  }>,
): Promise<void> {
  await db
    .updateTable('recordings')
    .set({
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.endedAt !== undefined && { ended_at: patch.endedAt }),
      ...(patch.durationMs !== undefined && { duration_ms: Math.round(patch.durationMs) }),
      ...(patch.sizeBytes !== undefined && { size_bytes: patch.sizeBytes }),
    })
    .where('id', '=', id)
    .execute();
}

export async function getRecording(
  db: Kysely<IngestDatabase>,
  id: string,
): Promise<Recording | null> {
  if (!isRecordingId(id)) return null;
  const row = await db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecording(row) : null;
}

/** Newest first. */
export async function listRecordings(
  db: Kysely<IngestDatabase>,
  classId: string,
): Promise<Recording[]> {
  const rows = await db
    .selectFrom('recordings')
    .selectAll()
    .where('class_id', '=', classId)
    .orderBy('started_at', 'desc')
    .execute();
  return rows.map(toRecording);
}

/**
 * Recordings left 'live' or 'finalizing' by this node (`nodeId`), or by a process from before
 * nodes were told apart; those of other nodes are theirs to finish.
 * Each kind recovers its own.
 */
export async function listUnfinishedRecordings(
  db: Kysely<IngestDatabase>,
  nodeId: string,
  kind: RecordingKind = 'broadcast',
): Promise<Recording[]> {
  const rows = await db
    .selectFrom('recordings')
    .selectAll()
    .where('status', 'in', ['live', 'finalizing'])
    .where((eb) => eb.or([eb('node_id', '=', nodeId), eb('node_id', 'is', null)]))
    .where('kind', '=', kind)
    .execute();
  return rows.map(toRecording);
}

export async function renameRecording(
  db: Kysely<IngestDatabase>,
  id: string,
  title: string,
): Promise<Recording | null> {
  const clean = title.trim();
  if (clean.length === 0 || clean.length > 300) throw new RangeError('title must be 1-300 chars');
  if (!isRecordingId(id)) return null;
  await db.updateTable('recordings').set({ title: clean }).where('id', '=', id).execute();
  return getRecording(db, id);
}

export async function setRecordingPublic(
  db: Kysely<IngestDatabase>,
  id: string,
  isPublic: boolean,
): Promise<Recording | null> {
  if (!isRecordingId(id)) return null;
  await db
    .updateTable('recordings')
    .set({ is_public: isPublic ? 1 : 0 })
    .where('id', '=', id)
    .execute();
  return getRecording(db, id);
}

/**
 * Removes the row, then the files: a crash in between leaves an orphan directory rather than a
 * row pointing at missing media. Live or finalizing recordings are refused.
 */
export async function deleteRecording(
  db: Kysely<IngestDatabase>,
  recordingsDir: string,
  id: string,
): Promise<boolean> {
  const rec = await getRecording(db, id);
  if (!rec) return false;
  if (rec.status === 'live' || rec.status === 'finalizing') throw new RecordingBusyError(id);
  const res = await db
    .deleteFrom('recordings')
    .where('id', '=', id)
    .where('status', 'in', ['ready', 'failed'])
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new RecordingBusyError(id);
  await rm(recordingPath(recordingsDir, id), { recursive: true, force: true });
  return true;
}

/**
 * Removes every recording of a class (a deleted class): rows first, then files, as for one
 * recording. The caller stops the class's broadcast first; `exclude` keeps recordings another
 * broadcast in this process still writes.
 */
export async function deleteClassRecordings(
  db: Kysely<IngestDatabase>,
  recordingsDir: string,
  classId: string,
  exclude: ReadonlySet<string> = new Set(),
): Promise<number> {
  const rows = await db
    .selectFrom('recordings')
    .select('id')
    .where('class_id', '=', classId)
    .execute();
  const ids = rows.map((r) => r.id).filter((id) => !exclude.has(id));
  if (ids.length === 0) return 0;
  await db.deleteFrom('recordings').where('id', 'in', ids).execute();
  for (const id of ids)
    await rm(recordingPath(recordingsDir, id), { recursive: true, force: true });
  return ids.length;
}

/** Makes every recording of a class private (a deleted class whose recordings are kept). */
export async function unpublishClassRecordings(
  db: Kysely<IngestDatabase>,
  classId: string,
): Promise<void> {
  await db
    .updateTable('recordings')
    .set({ is_public: 0 })
    .where('class_id', '=', classId)
    .execute();
}

/** Bytes stored by the finished recordings of these classes. */
export async function recordingBytes(
  db: Kysely<IngestDatabase>,
  classIds: readonly string[],
): Promise<number> {
  if (classIds.length === 0) return 0;
  const row = await db
    .selectFrom('recordings')
    .select((eb) => eb.fn.sum<number | string | null>('size_bytes').as('bytes'))
    .where('class_id', 'in', classIds)
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
}
