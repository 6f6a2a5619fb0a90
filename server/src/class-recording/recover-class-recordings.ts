import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  listUnfinishedRecordings,
  recordingPath,
  updateRecording,
  type IngestDatabase,
} from '@educloud/rtmp-ingest';
import { TRACK_PID_FILE } from '@educloud/sfu';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A track ffmpeg of a killed server is orphaned, still listening: SIGINT makes it close its
 * segment. Only a process whose command line names this track directory is touched.
 */
async function stopOrphanWriters(dir: string, logger: Logger): Promise<void> {
  const tracks = await readdir(join(dir, 'tracks')).catch(() => [] as string[]);
  for (const t of tracks) {
    const trackDir = join(dir, 'tracks', t);
    const pidFile = join(trackDir, TRACK_PID_FILE);
    const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 1 && alive(pid)) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(trackDir)) {
        logger.warn({ pid, trackDir }, 'stopping orphaned track writer');
        process.kill(pid, 'SIGINT');
        const deadline = Date.now() + 5000;
        while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
    await rm(pidFile, { force: true });
  }
}

/**
 * Finalizes the class recordings a previous process left live (kill -9, power loss) from what
 * reached the disk: the timeline and the segments written so far.
 */
export async function recoverClassRecordings(o: {
  db: Kysely<IngestDatabase>;
  recordingsDir: string;
  /** Only this node's recordings (and those from before nodes were told apart) are its to finish. */
  nodeId: string;
  logger: Logger;
  exclude: ReadonlySet<string>;
  finalize: (id: string, classId: string, startedAt: number) => Promise<'ready' | 'failed'>;
}): Promise<{ id: string; status: 'ready' | 'failed' }[]> {
  const out: { id: string; status: 'ready' | 'failed' }[] = [];
  for (const rec of await listUnfinishedRecordings(o.db, o.nodeId, 'class')) {
    if (o.exclude.has(rec.id)) continue;
    const log = o.logger.child({ recordingId: rec.id });
    await updateRecording(o.db, rec.id, { status: 'finalizing' });
    await stopOrphanWriters(recordingPath(o.recordingsDir, rec.id), log);
    let status: 'ready' | 'failed';
    try {
      status = await o.finalize(rec.id, rec.classId, Date.parse(rec.startedAt));
    } catch (err) {
      log.error({ err }, 'class recording recovery failed');
      status = 'failed';
      await updateRecording(o.db, rec.id, { status });
    }
    log.info({ status }, 'class recording recovered');
    out.push({ id: rec.id, status });
  }
  return out;
}
