import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  listUnfinishedRecordings,
  recordingPath,
  stopOrphanWriter,
  updateRecording,
  type IngestDatabase,
} from '@educloud/rtmp-ingest';
import { TRACK_PID_FILE } from '@educloud/sfu';

/** Track ffmpegs of a killed server may still be listening: each closes its segment first. */
async function stopOrphanWriters(dir: string, logger: Logger): Promise<void> {
  const tracks = await readdir(join(dir, 'tracks')).catch(() => [] as string[]);
  for (const t of tracks) {
    const trackDir = join(dir, 'tracks', t);
    await stopOrphanWriter(join(trackDir, TRACK_PID_FILE), trackDir, 5000, logger);
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
