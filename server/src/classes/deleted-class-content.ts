import type { Logger } from 'pino';
import { deleteStoredDocuments, type CollabHandle } from '@educloud/collab';
import type { IngestHandle } from '@educloud/rtmp-ingest';
import type { DeletedClassParts } from '@educloud/signaling';

export type DeletedClassPolicy = 'delete' | 'keep';

/**
 * What becomes of a deleted class's recordings and documents. `delete` stops its broadcast and
 * removes recordings (rows and files) and documents; `keep` leaves them to the operator but takes
 * its public recordings offline. Failures are logged, not thrown: the class itself is gone.
 */
export function deletedClassContent(deps: {
  policy: DeletedClassPolicy;
  ingest: IngestHandle | undefined;
  collab: CollabHandle;
  db: Parameters<typeof deleteStoredDocuments>[0];
  logger: Logger;
}): (classId: string, parts?: DeletedClassParts) => Promise<void> {
  const log = deps.logger.child({ part: 'deleted-class' });
  return async (classId, parts) => {
    try {
      if (deps.policy === 'keep') {
        await deps.ingest?.recordings.unpublishForClass(classId);
        log.info({ classId }, 'class deleted; its recordings and documents are kept, unpublished');
        return;
      }
      const recordings = (await deps.ingest?.recordings.deleteForClass(classId)) ?? 0;
      await deps.collab.flush();
      await deleteStoredDocuments(deps.db, `class/${classId}/`);
      // Breakout boards are named after their room (`breakout/<id>/board`), not the class.
      for (const id of parts?.breakoutIds ?? []) {
        await deleteStoredDocuments(deps.db, `breakout/${id}/`);
      }
      log.info({ classId, recordings }, 'class deleted with its recordings and documents');
    } catch (err) {
      log.error({ err, classId }, "removing a deleted class's recordings or documents failed");
    }
  };
}
