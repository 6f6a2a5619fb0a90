import type { Kysely } from 'kysely';
import * as Y from 'yjs';

export interface CollabTables {
  collab_updates: {
    doc_name: string;
    seq: number;
    data: Uint8Array;
    created_at: number;
    author_id: string | null;
  };
  collab_snapshots: {
    doc_name: string;
    upto_seq: number;
    state: Uint8Array;
    covers_until: number;
    created_at: number;
  };
  collab_locks: { doc_name: string; locked_at: number };
}

// The composition root owns one Kysely for every workspace's tables, so it arrives untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKysely = Kysely<any>;

export interface PendingRow {
  data: Uint8Array;
  authorId: string;
  createdAt: number;
}

export interface StoredState {
  /** Latest snapshot (if any) followed by every later log row, in seq order. */
  updates: Uint8Array[];
  maxSeq: number;
  bytes: number;
}

const INSERT_ATTEMPTS = 8;

function typed(db: AnyKysely): Kysely<CollabTables> {
  return db as Kysely<CollabTables>;
}

// PostgreSQL hands bigint back as a string; SQLite as a number.
function num(value: number | string | bigint | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export async function readMaxSeq(db: AnyKysely, docName: string): Promise<number> {
  const row = await typed(db)
    .selectFrom('collab_updates')
    .select((eb) => eb.fn.max('seq').as('max_seq'))
    .where('doc_name', '=', docName)
    .executeTakeFirst();
  return num(row?.max_seq);
}

/**
 * Appends rows in one statement and returns the last seq written. `nextSeq` is the caller's
 * guess; when another node took it first the unique key fails and the real maximum is re-read.
 */
export async function appendUpdates(
  db: AnyKysely,
  docName: string,
  rows: PendingRow[],
  nextSeq: number,
): Promise<number> {
  let seq = nextSeq;
  for (let attempt = 1; ; attempt++) {
    try {
      await typed(db)
        .insertInto('collab_updates')
        .values(
          rows.map((r, i) => ({
            doc_name: docName,
            seq: seq + i,
            data: r.data,
            created_at: r.createdAt,
            author_id: r.authorId,
          })),
        )
        .execute();
      return seq + rows.length - 1;
    } catch (err) {
      if (attempt >= INSERT_ATTEMPTS) throw err;
      const max = await readMaxSeq(db, docName);
      // Not a seq collision: retrying would not help.
      if (max < seq) throw err;
      seq = max + 1;
    }
  }
}

export async function loadStoredState(db: AnyKysely, docName: string): Promise<StoredState> {
  const snapshot = await typed(db)
    .selectFrom('collab_snapshots')
    .select(['upto_seq', 'state'])
    .where('doc_name', '=', docName)
    .orderBy('upto_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const fromSeq = num(snapshot?.upto_seq);
  const rows = await typed(db)
    .selectFrom('collab_updates')
    .select(['seq', 'data'])
    .where('doc_name', '=', docName)
    .where('seq', '>', fromSeq)
    .orderBy('seq')
    .execute();
  const updates: Uint8Array[] = [];
  let bytes = 0;
  if (snapshot) {
    updates.push(snapshot.state);
    bytes += snapshot.state.byteLength;
  }
  for (const r of rows) {
    updates.push(r.data);
    bytes += r.data.byteLength;
  }
  const last = rows.at(-1);
  return { updates, maxSeq: last ? num(last.seq) : fromSeq, bytes };
}

/**
 * Applies stored updates one by one so that a single unreadable row (which validation should
 * have kept out) costs that row only, not the document.
 */
export function applyStored(doc: Y.Doc, updates: Uint8Array[], onBadRow: (err: unknown) => void) {
  if (updates.length === 0) return;
  try {
    Y.applyUpdate(doc, Y.mergeUpdates(updates));
    return;
  } catch {
    // fall through to the slow path
  }
  for (const u of updates) {
    try {
      Y.applyUpdate(doc, u);
    } catch (err) {
      onBadRow(err);
    }
  }
}

/**
 * Folds the log written since the latest snapshot into a new snapshot. The log itself stays:
 * it is the history loadDocumentAt reads. Returns the snapshot size, or null when there was
 * nothing to fold.
 */
export async function compactDocument(
  db: AnyKysely,
  docName: string,
  onBadRow: (err: unknown) => void,
): Promise<number | null> {
  const snapshot = await typed(db)
    .selectFrom('collab_snapshots')
    .select(['upto_seq', 'state', 'covers_until'])
    .where('doc_name', '=', docName)
    .orderBy('upto_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const rows = await typed(db)
    .selectFrom('collab_updates')
    .select(['seq', 'data', 'created_at'])
    .where('doc_name', '=', docName)
    .where('seq', '>', num(snapshot?.upto_seq))
    .orderBy('seq')
    .execute();
  const last = rows.at(-1);
  if (!last) return null;
  const doc = new Y.Doc();
  try {
    applyStored(doc, [...(snapshot ? [snapshot.state] : []), ...rows.map((r) => r.data)], onBadRow);
    const state = Y.encodeStateAsUpdate(doc);
    let coversUntil = num(snapshot?.covers_until);
    for (const r of rows) coversUntil = Math.max(coversUntil, num(r.created_at));
    try {
      await typed(db)
        .insertInto('collab_snapshots')
        .values({
          doc_name: docName,
          upto_seq: num(last.seq),
          state,
          covers_until: coversUntil,
          created_at: Date.now(),
        })
        .execute();
    } catch {
      // Another node wrote the same snapshot first: same rows, same content.
      return null;
    }
    return state.byteLength;
  } finally {
    doc.destroy();
  }
}

/**
 * Rebuilds a document as it was at `timestamp` (ms since epoch, or a Date) from the log,
 * starting from the newest snapshot that only contains older rows.
 */
export async function loadDocumentAt(
  db: AnyKysely,
  docName: string,
  timestamp: number | Date,
): Promise<Y.Doc> {
  const at = typeof timestamp === 'number' ? timestamp : timestamp.getTime();
  const snapshot = await typed(db)
    .selectFrom('collab_snapshots')
    .select(['upto_seq', 'state'])
    .where('doc_name', '=', docName)
    .where('covers_until', '<=', at)
    .orderBy('upto_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const rows = await typed(db)
    .selectFrom('collab_updates')
    .select(['data'])
    .where('doc_name', '=', docName)
    .where('seq', '>', num(snapshot?.upto_seq))
    .where('created_at', '<=', at)
    .orderBy('seq')
    .execute();
  const doc = new Y.Doc();
  applyStored(doc, [...(snapshot ? [snapshot.state] : []), ...rows.map((r) => r.data)], () => {});
  return doc;
}

export async function readLock(db: AnyKysely, docName: string): Promise<boolean> {
  const row = await typed(db)
    .selectFrom('collab_locks')
    .select('doc_name')
    .where('doc_name', '=', docName)
    .executeTakeFirst();
  return row !== undefined;
}

export async function writeLock(db: AnyKysely, docName: string, locked: boolean): Promise<void> {
  await typed(db).deleteFrom('collab_locks').where('doc_name', '=', docName).execute();
  if (locked) {
    await typed(db)
      .insertInto('collab_locks')
      .values({ doc_name: docName, locked_at: Date.now() })
      .execute();
  }
}
