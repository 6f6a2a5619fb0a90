import type { Kysely } from 'kysely';
import { loadDocumentAt, type CollabTables } from '@educloud/collab';

// Must match the web client's TldrawYjsBinding: the Y.Map holding the board's records.
const BOARD_RECORDS_KEY = 'tldraw';

export type BoardRecord = Record<string, unknown>;

/** The whiteboard's tldraw records as they were at `at` (epoch ms), from the collab log. */
export async function boardRecordsAt(
  db: Kysely<unknown>,
  docName: string,
  at: number,
): Promise<BoardRecord[]> {
  const doc = await loadDocumentAt(db as Kysely<CollabTables>, docName, at);
  try {
    return Object.values(doc.getMap(BOARD_RECORDS_KEY).toJSON()) as BoardRecord[];
  } finally {
    doc.destroy();
  }
}

/** When the board changed between `from` (excluded) and `to`: its log's updates and resets. */
export async function boardChanges(
  db: Kysely<unknown>,
  docName: string,
  from: number,
  to: number,
): Promise<number[]> {
  const d = db as Kysely<CollabTables>;
  const [updates, resets] = await Promise.all([
    d
      .selectFrom('collab_updates')
      .select('created_at')
      .where('doc_name', '=', docName)
      .where('created_at', '>', from)
      .where('created_at', '<=', to)
      .execute(),
    d
      .selectFrom('collab_epochs')
      .select('created_at')
      .where('doc_name', '=', docName)
      .where('created_at', '>', from)
      .where('created_at', '<=', to)
      .execute(),
  ]);
  // PostgreSQL hands bigint back as a string.
  return [...updates, ...resets].map((r) => Number(r.created_at)).sort((a, b) => a - b);
}
