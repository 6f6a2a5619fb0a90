import type { Editor, TLRecord } from 'tldraw';

/** The records that make up a board's drawing (pages, shapes, their assets and bindings). */
const isDrawing = (r: TLRecord) =>
  r.typeName === 'shape' ||
  r.typeName === 'page' ||
  r.typeName === 'asset' ||
  r.typeName === 'binding';

/**
 * Makes a read-only editor show exactly the board in `records` (a moment of a recorded class):
 * shapes and bindings not in it go, the rest is put. The editor's own state (camera, user,
 * instance) is left alone. Returns the records kept.
 */
export function showBoardRecords(editor: Editor, records: TLRecord[]): TLRecord[] {
  const kept = records.filter(isDrawing);
  const ids = new Set(kept.map((r) => r.id));
  const store = editor.store;
  store.mergeRemoteChanges(() => {
    const stale = store
      .allRecords()
      .filter((r) => (r.typeName === 'shape' || r.typeName === 'binding') && !ids.has(r.id));
    store.remove(stale.map((r) => r.id));
    if (kept.length) store.put(kept);
  });
  return kept;
}
