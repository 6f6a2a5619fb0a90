import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { deleteRecording, type IngestDatabase } from '@educloud/rtmp-ingest';

const HOUR_MS = 3600_000;

/** Deletes finished recordings (both kinds) older than `days`; returns how many. */
export async function deleteExpiredRecordings(o: {
  db: Kysely<IngestDatabase>;
  recordingsDir: string;
  days: number;
  now?: number;
}): Promise<number> {
  if (o.days <= 0) return 0;
  const cutoff = new Date((o.now ?? Date.now()) - o.days * 24 * HOUR_MS).toISOString();
  const rows = await o.db
    .selectFrom('recordings')
    .select('id')
    .where('status', 'in', ['ready', 'failed'])
    .where('started_at', '<', cutoff)
    .execute();
  let n = 0;
  for (const { id } of rows) {
    if (await deleteRecording(o.db, o.recordingsDir, id).catch(() => false)) n++;
  }
  return n;
}

/** Runs the retention sweep at start and then every hour, until stopped. */
export function startRetention(o: {
  db: Kysely<IngestDatabase>;
  recordingsDir: string;
  days: number;
  logger: Logger;
}): { stop(): void } {
  if (o.days <= 0) return { stop() {} };
  const sweep = () =>
    deleteExpiredRecordings(o).then(
      (n) => n > 0 && o.logger.info({ deleted: n, days: o.days }, 'expired recordings deleted'),
      (err: unknown) => o.logger.error({ err }, 'recording retention sweep failed'),
    );
  void sweep();
  const timer = setInterval(() => void sweep(), HOUR_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
