import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { finalizeRecordingDir, MEDIA_PLAYLIST } from './finalize.js';
import { stopOrphanWriter } from './orphan-writer.js';
import { PACKAGER_PID_FILE } from './packager.js';
import {
  listUnfinishedRecordings,
  recordingPath,
  updateRecording,
  type Recording,
} from './recordings.js';
import type { IngestDatabase } from './schema.js';

export interface RecoveryOptions {
  db: Kysely<IngestDatabase>;
  recordingsDir: string;
  /** Only this node's unfinished recordings are recovered. */
  nodeId: string;
  logger: Logger;
  ffmpegPath: string;
  ffprobePath: string;
  /** Recordings this process is producing right now; never touched. */
  exclude?: ReadonlySet<string>;
}

export interface RecoveredRecording {
  id: string;
  status: 'ready' | 'failed';
  durationMs: number;
}

async function lastModified(path: string): Promise<Date | null> {
  try {
    return (await stat(path)).mtime;
  } catch {
    return null;
  }
}

async function recoverOne(rec: Recording, o: RecoveryOptions): Promise<RecoveredRecording> {
  const dir = recordingPath(o.recordingsDir, rec.id);
  const log = o.logger.child({ recordingId: rec.id });
  await updateRecording(o.db, rec.id, { status: 'finalizing' });
  await stopOrphanWriter(join(dir, PACKAGER_PID_FILE), dir, 10_000, log);
  // The last playlist write is the best estimate of when the broadcast died.
  const endedAt = (await lastModified(join(dir, MEDIA_PLAYLIST))) ?? new Date();
  let result;
  try {
    result = await finalizeRecordingDir(dir, { ...o, logger: log });
  } catch (err) {
    log.error({ err }, 'recovery failed');
    result = { ok: false, durationMs: 0, sizeBytes: 0 };
  }
  const status = result.ok ? 'ready' : 'failed';
  await updateRecording(o.db, rec.id, {
    status,
    endedAt: endedAt.toISOString(),
    durationMs: result.durationMs,
    sizeBytes: result.sizeBytes,
  });
  log.info({ status, durationMs: result.durationMs }, 'recording recovered');
  return { id: rec.id, status, durationMs: result.durationMs };
}

/**
 * Finalizes recordings a previous process left 'live' or 'finalizing' (crash, kill -9, power
 * loss): playlists closed with #EXT-X-ENDLIST, MP4 remuxed from the segments. One at a time:
 * this runs next to live ingest on a small machine.
 */
export async function recoverRecordings(
  o: RecoveryOptions,
  recordings?: Recording[],
): Promise<RecoveredRecording[]> {
  const list = recordings ?? (await listUnfinishedRecordings(o.db, o.nodeId));
  const out: RecoveredRecording[] = [];
  for (const rec of list) {
    if (o.exclude?.has(rec.id)) continue;
    out.push(await recoverOne(rec, o));
  }
  return out;
}
