import { afterEach, beforeEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteStoredDocuments } from './delete-documents.js';
import {
  appendUpdates,
  loadStoredState,
  readEpoch,
  readLock,
  writeEpoch,
  writeLock,
  type AnyKysely,
} from './store.js';
import { migrate, newDatabase, openDb, tempDir } from './test-support/db.js';

let dir: ReturnType<typeof tempDir>;
let db: AnyKysely;
let dropDb: () => Promise<void>;

beforeEach(async () => {
  dir = tempDir();
  const where = await newDatabase(dir.dir);
  dropDb = where.drop;
  db = openDb(where.location);
  await migrate(db);
});
afterEach(async () => {
  await db.destroy();
  await dropDb();
  dir.remove();
});

async function store(name: string) {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, name);
  const data = Y.encodeStateAsUpdate(doc);
  await appendUpdates(db, name, [{ data, authorId: 'u1', createdAt: Date.now() }], 1, 1);
  await writeLock(db, name, true);
  // A teacher's reset leaves an epoch row that must go with the document.
  await writeEpoch(db, name, {
    epoch: 1,
    base: data,
    previous: null,
    action: 'reset',
    authorId: 'u1',
  });
}

it("removes every stored document of one folder, and only that folder's", async () => {
  const gone = ['class/11/board', 'class/11/notes', 'class/11/breakout/1/board'];
  // Look-alikes: a longer id with the same start, and the folder's name without its slash.
  const kept = ['class/111/board', 'class/11', 'other/class/11/board'];
  for (const name of [...gone, ...kept]) await store(name);

  await deleteStoredDocuments(db, 'class/11/');

  for (const name of gone) {
    expect((await loadStoredState(db, name)).updates, name).toEqual([]);
    expect(await readLock(db, name), name).toBe(false);
    expect((await readEpoch(db, name)).epoch, name).toBe(0);
  }
  for (const name of kept) {
    expect((await loadStoredState(db, name)).updates.length, name).toBeGreaterThan(0);
    expect(await readLock(db, name), name).toBe(true);
    expect((await readEpoch(db, name)).epoch, name).toBe(1);
  }
});

it('refuses prefixes that are not a plain folder', async () => {
  await store('class/11/board');
  for (const prefix of ['', 'class/11', 'class/%/', 'class/_1/', '%/']) {
    await expect(deleteStoredDocuments(db, prefix), prefix).rejects.toThrow(
      'deleteStoredDocuments needs a folder prefix',
    );
  }
  expect((await loadStoredState(db, 'class/11/board')).updates.length).toBeGreaterThan(0);
});
