import type { Kysely } from 'kysely';
import type { AnyKysely, CollabTables } from './store.js';

/**
 * Removes every stored document whose name starts with `prefix` (a deleted class's `class/<id>/`):
 * update log, snapshots, reset epochs and locks. Clients still connected keep their in-memory copy; the
 * composition root closes the class first, and the authorizer refuses the names afterwards.
 */
export async function deleteStoredDocuments(db: AnyKysely, prefix: string): Promise<void> {
  // LIKE wildcards in the prefix would widen the match; document folders never contain them.
  if (!/^[A-Za-z0-9/-]+\/$/.test(prefix)) {
    throw new Error('deleteStoredDocuments needs a folder prefix like "class/<id>/"');
  }
  const pattern = `${prefix}%`;
  const t = db as Kysely<CollabTables>;
  await t.transaction().execute(async (tx) => {
    await tx.deleteFrom('collab_updates').where('doc_name', 'like', pattern).execute();
    await tx.deleteFrom('collab_snapshots').where('doc_name', 'like', pattern).execute();
    await tx.deleteFrom('collab_epochs').where('doc_name', 'like', pattern).execute();
    await tx.deleteFrom('collab_locks').where('doc_name', 'like', pattern).execute();
  });
}
