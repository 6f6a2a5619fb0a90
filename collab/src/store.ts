import type { Kysely } from 'kysely';
import * as Y from 'yjs';

export interface CollabTables {
  collab_updates: {
    doc_name: string;
    seq: number;
    data: Uint8Array;
    created_at: number;
    author_id: string | null;
    epoch: number;
  };
  collab_snapshots: {
    doc_name: string;
    upto_seq: number;
    state: Uint8Array;
    covers_until: number;
    created_at: number;
    epoch: number;
  };
  collab_locks: { doc_name: string; locked_at: number };
  /** One row per reset or undo: the base state its epoch starts from. */
  collab_epochs: {
    doc_name: string;
    epoch: number;
    base_state: Uint8Array;
    /** The state the epoch replaced: what undoing a reset restores (kept as history). */
    previous_state: Uint8Array | null;
    action: string;
    author_id: string | null;
    created_at: number;
  };
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
  /** The epoch (0 before any reset) whose base state, snapshot and log rows were read. */
  epoch: number;
  /** Base state or latest snapshot followed by every later log row, in seq order. */
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
  epoch: number,
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
            epoch,
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

export interface EpochRow {
  epoch: number;
  base: Uint8Array | null;
  previous: Uint8Array | null;
  /** 'reset', 'undo', or null for epoch 0. */
  action: string | null;
  createdAt: number;
}

/** The current epoch of a document (the newest reset or undo), or epoch 0 without a base. */
export async function readEpoch(
  db: AnyKysely,
  docName: string,
  at = Number.MAX_SAFE_INTEGER,
): Promise<EpochRow> {
  const row = await typed(db)
    .selectFrom('collab_epochs')
    .select(['epoch', 'base_state', 'previous_state', 'action', 'created_at'])
    .where('doc_name', '=', docName)
    .where('created_at', '<=', at)
    .orderBy('epoch', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { epoch: 0, base: null, previous: null, action: null, createdAt: 0 };
  return {
    epoch: num(row.epoch),
    base: row.base_state,
    previous: row.previous_state,
    action: row.action,
    createdAt: num(row.created_at),
  };
}

async function latestSnapshot(db: AnyKysely, docName: string, epoch: number, coveredBy?: number) {
  let q = typed(db)
    .selectFrom('collab_snapshots')
    .select(['upto_seq', 'state', 'covers_until'])
    .where('doc_name', '=', docName)
    .where('epoch', '=', epoch);
  if (coveredBy !== undefined) q = q.where('covers_until', '<=', coveredBy);
  return q.orderBy('upto_seq', 'desc').limit(1).executeTakeFirst();
}

/**
 * What a document is made of now: its epoch's base state, the newest snapshot of that epoch
 * and the log rows of that epoch after it. Rows of older epochs (before a reset) stay in the
 * log as history but are never loaded again.
 */
export async function loadStoredState(db: AnyKysely, docName: string): Promise<StoredState> {
  const current = await readEpoch(db, docName);
  const snapshot = await latestSnapshot(db, docName, current.epoch);
  const fromSeq = num(snapshot?.upto_seq);
  const rows = await typed(db)
    .selectFrom('collab_updates')
    .select(['seq', 'data'])
    .where('doc_name', '=', docName)
    .where('epoch', '=', current.epoch)
    .where('seq', '>', fromSeq)
    .orderBy('seq')
    .execute();
  const updates: Uint8Array[] = [];
  let bytes = 0;
  // A snapshot of the epoch already contains its base.
  const start = snapshot?.state ?? current.base;
  if (start) {
    updates.push(start);
    bytes += start.byteLength;
  }
  for (const r of rows) {
    updates.push(r.data);
    bytes += r.data.byteLength;
  }
  const maxSeq = Math.max(fromSeq, await readMaxSeq(db, docName));
  return { epoch: current.epoch, updates, maxSeq, bytes };
}

/**
 * What `loadStoredState` would read, in bytes, without reading it: answered to every member
 * polling a document's state, so the blobs stay in the database.
 */
export async function documentSize(db: AnyKysely, docName: string): Promise<number> {
  const current = await readEpoch(db, docName);
  const snapshot = await typed(db)
    .selectFrom('collab_snapshots')
    .select((eb) => ['upto_seq', eb.fn<number>('length', ['state']).as('bytes')])
    .where('doc_name', '=', docName)
    .where('epoch', '=', current.epoch)
    .orderBy('upto_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const log = await typed(db)
    .selectFrom('collab_updates')
    .select((eb) => eb.fn.sum<number>(eb.fn('length', ['data'])).as('bytes'))
    .where('doc_name', '=', docName)
    .where('epoch', '=', current.epoch)
    .where('seq', '>', num(snapshot?.upto_seq))
    .executeTakeFirst();
  const start = snapshot ? num(snapshot.bytes) : (current.base?.byteLength ?? 0);
  return start + num(log?.bytes);
}

/** Starts a new epoch whose document is `base`; fails if that epoch exists (a race). */
export async function writeEpoch(
  db: AnyKysely,
  docName: string,
  row: {
    epoch: number;
    base: Uint8Array;
    previous: Uint8Array | null;
    action: 'reset' | 'undo';
    authorId: string;
  },
): Promise<void> {
  await typed(db)
    .insertInto('collab_epochs')
    .values({
      doc_name: docName,
      epoch: row.epoch,
      base_state: row.base,
      previous_state: row.previous,
      action: row.action,
      author_id: row.authorId,
      created_at: Date.now(),
    })
    .execute();
}

/**
 * Applies stored updates merged into one; if that fails, one by one so that a single unreadable
 * row (which validation should have kept out) costs that row only, not the document. Returns
 * the merged update when it applied (it then holds the whole document), else undefined.
 */
export function applyStored(
  doc: Y.Doc,
  updates: Uint8Array[],
  onBadRow: (err: unknown) => void,
): Uint8Array | undefined {
  if (updates.length === 0) return undefined;
  try {
    const merged = Y.mergeUpdates(updates);
    Y.applyUpdate(doc, merged);
    return merged;
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
  return undefined;
}

/**
 * Folds the log written since the latest snapshot into a new snapshot. The log itself stays:
 * it is the history loadDocumentAt reads. Returns the snapshot size, or null when there was
 * nothing to fold.
 */
export async function compactDocument(
  db: AnyKysely,
  docName: string,
  epoch: number,
  onBadRow: (err: unknown) => void,
): Promise<number | null> {
  const snapshot = await latestSnapshot(db, docName, epoch);
  const base = snapshot ? null : (await readEpoch(db, docName)).base;
  const rows = await typed(db)
    .selectFrom('collab_updates')
    .select(['seq', 'data', 'created_at'])
    .where('doc_name', '=', docName)
    .where('epoch', '=', epoch)
    .where('seq', '>', num(snapshot?.upto_seq))
    .orderBy('seq')
    .execute();
  const last = rows.at(-1);
  if (!last) return null;
  const doc = new Y.Doc();
  try {
    const start = snapshot?.state ?? base;
    applyStored(doc, [...(start ? [start] : []), ...rows.map((r) => r.data)], onBadRow);
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
          epoch,
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
  const current = await readEpoch(db, docName, at);
  const snapshot = await latestSnapshot(db, docName, current.epoch, at);
  const rows = await typed(db)
    .selectFrom('collab_updates')
    .select(['data'])
    .where('doc_name', '=', docName)
    .where('epoch', '=', current.epoch)
    .where('seq', '>', num(snapshot?.upto_seq))
    .where('created_at', '<=', at)
    .orderBy('seq')
    .execute();
  const doc = new Y.Doc();
  const start = snapshot?.state ?? current.base;
  applyStored(doc, [...(start ? [start] : []), ...rows.map((r) => r.data)], () => {});
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
