import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { MEDIA_PLAYLIST } from './finalize.js';
import { recordingPath } from './recordings.js';
import type { IngestDatabase } from './schema.js';

/**
 * The recording another node is writing for a class right now, when the nodes share the database
 * and the recordings directory: a 'live' row of another node whose playlist is still being
 * written. The playlist's age stands in for a heartbeat: a node killed mid-broadcast leaves its
 * row 'live' until it restarts, but its playlist stops changing.
 */
export async function liveOnAnotherNode(
  db: Kysely<IngestDatabase>,
  o: { recordingsDir: string; nodeId: string; staleAfterMs: number },
  classId: string,
): Promise<string | null> {
  const rows = await db
    .selectFrom('recordings')
    .select('id')
    .where('class_id', '=', classId)
    .where('status', '=', 'live')
    .where('node_id', '!=', o.nodeId)
    .orderBy('started_at', 'desc')
    .limit(3)
    .execute();
  for (const { id } of rows) {
    const playlist = join(recordingPath(o.recordingsDir, id), MEDIA_PLAYLIST);
    const written = await stat(playlist).then(
      (s) => s.mtimeMs,
      () => null,
    );
    if (written !== null && Date.now() - written < o.staleAfterMs) return id;
  }
  return null;
}
