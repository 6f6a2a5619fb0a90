import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { finalizeRecordingDir, MEDIA_PLAYLIST } from './finalize.js';
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * An ffmpeg started by a killed ingest is orphaned, not killed: it may still be writing. Stop it
 * the graceful way first so it lists its last segment. Only a process whose command line names
 * this recording is touched (pids get reused).
 */
async function stopOrphanPackager(dir: string, logger: Logger): Promise<void> {
  const pidFile = join(dir, PACKAGER_PID_FILE);
  let pid: number;
  try {
    pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 1 && alive(pid)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) {
      logger.warn({ pid, dir }, 'stopping orphaned packager');
      process.kill(pid, 'SIGINT');
      const deadline = Date.now() + 10_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  await rm(pidFile, { force: true });
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
  await stopOrphanPackager(dir, log);
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
