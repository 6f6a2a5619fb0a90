import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DocumentRecordType,
  GeoShapeUtil,
  PageRecordType,
  TLDOCUMENT_ID,
  atom,
  createShapeId,
  createTLStore,
  defaultBindingUtils,
  defaultShapeUtils,
  type Editor,
  type IndexKey,
  type TLRecord,
  type TLShapeId,
  type TLStore,
} from 'tldraw';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { TldrawYjsBinding, boardRecordsKey } from './tldraw-yjs-binding.js';

/** Two clients whose Yjs documents are wired to each other, as the server would relay them. */
function pair() {
  const peers = [0, 1].map(() => {
    const doc = new Y.Doc();
    const store = createTLStore({
      shapeUtils: defaultShapeUtils,
      bindingUtils: defaultBindingUtils,
    });
    const awareness = new Awareness(doc);
    const sent: number[] = [];
    const binding = new TldrawYjsBinding({
      store,
      doc,
      awareness,
      user: atom('user', { id: `user-${doc.clientID}`, name: 'x', color: '#000' }),
    });
    return { doc, store, awareness, binding, sent };
  });
  for (const [from, to] of [
    [peers[0]!, peers[1]!],
    [peers[1]!, peers[0]!],
  ] as const) {
    from.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'relay') return;
      from.sent.push(update.byteLength);
      Y.applyUpdate(to.doc, update, 'relay');
    });
  }
  for (const p of peers) p.binding.start();
  cleanups.push(() => {
    for (const p of peers) {
      p.binding.destroy();
      p.awareness.destroy();
      p.doc.destroy();
    }
  });
  return peers as [(typeof peers)[0], (typeof peers)[0]];
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const geoProps = new GeoShapeUtil({} as Editor).getDefaultProps();
const pageId = PageRecordType.createId('page');

function geo(store: TLStore, id: TLShapeId, x: number): TLRecord {
  return store.schema.types.shape.create({
    id,
    type: 'geo',
    parentId: pageId,
    index: 'a1',
    x,
    y: 0,
    props: geoProps,
  }) as TLRecord;
}

function seed(store: TLStore, shapes: TLRecord[] = []) {
  store.put([
    DocumentRecordType.create({ id: TLDOCUMENT_ID }),
    PageRecordType.create({ id: pageId, name: 'Page 1', index: 'a1' as IndexKey }),
    ...shapes,
  ]);
}

describe('TldrawYjsBinding', () => {
  it('relays local changes both ways without echoing remote ones', async () => {
    const [a, b] = pair();
    const id = createShapeId('one');
    seed(a.store, [geo(a.store, id, 10)]);
    await until(() => b.store.has(id), 'the shape at b');
    await new Promise((r) => setTimeout(r, 120));
    expect(b.sent).toEqual([]);

    const moved = { ...b.store.get(id)!, x: 99 } as TLRecord;
    b.store.put([moved]);
    await until(() => (a.store.get(id) as { x?: number }).x === 99, 'the move at a');
    const aSent = a.sent.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(a.sent.length).toBe(aSent);

    a.store.remove([id]);
    await until(() => !b.store.has(id), 'the removal at b');
  });

  it('splits a large change into updates the server accepts (< 1 MiB)', async () => {
    const [a, b] = pair();
    const shapes = Array.from({ length: 3000 }, (_, i) =>
      geo(a.store, createShapeId(`s${i}`), i * 10),
    );
    seed(a.store, shapes);
    await until(() => b.store.query.records('shape').get().length === 3000, 'all shapes at b');
    expect(a.sent.length).toBeGreaterThan(1);
    expect(Math.max(...a.sent)).toBeLessThan(1024 * 1024);
    // 3,000 shapes through two stores: ~1.6 s alone, over 5 s beside other suites on 2 cores.
  }, 30_000);

  it('ignores records that do not validate', async () => {
    const [a, b] = pair();
    seed(a.store);
    await until(() => b.store.has(pageId), 'the page at b');
    const good = geo(a.store, createShapeId('good'), 1);
    a.doc.transact(() => {
      const map = a.doc.getMap(boardRecordsKey);
      map.set('shape:bad', { id: 'shape:bad', typeName: 'shape', type: 'geo', x: 'nope' });
      map.set('instance:x', { id: 'instance:x', typeName: 'instance' });
      map.set(good.id, good);
    });
    await until(() => b.store.has(good.id), 'the valid shape at b');
    expect(b.store.has('shape:bad' as TLShapeId)).toBe(false);
    // Session records (this tab's own view) never come from the shared document.
    expect(
      b.store.query
        .ids('instance')
        .get()
        .has('instance:x' as never),
    ).toBe(false);
  });

  it('sends nothing while not writable (a locked document)', async () => {
    const [a, b] = pair();
    seed(a.store);
    await until(() => b.store.has(pageId), 'the page at b');
    b.binding.setWritable(false);
    const sent = b.sent.length;
    b.store.put([geo(b.store, createShapeId('refused'), 5)]);
    await new Promise((r) => setTimeout(r, 120));
    expect(b.sent.length).toBe(sent);
    expect(a.store.has(createShapeId('refused'))).toBe(false);
  });

  it('loads what the document already holds', async () => {
    const [a] = pair();
    const id = createShapeId('kept');
    seed(a.store, [geo(a.store, id, 3)]);
    await until(() => a.doc.getMap(boardRecordsKey).has(id), 'the shape in the document');

    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(a.doc));
    const store = createTLStore({
      shapeUtils: defaultShapeUtils,
      bindingUtils: defaultBindingUtils,
    });
    const awareness = new Awareness(doc);
    const binding = new TldrawYjsBinding({
      store,
      doc,
      awareness,
      user: atom('user', { id: 'late', name: 'Late', color: '#000' }),
    });
    const validate = vi.spyOn(store.schema.types.shape, 'validate');
    binding.start();
    cleanups.push(() => {
      binding.destroy();
      awareness.destroy();
      doc.destroy();
    });
    expect(store.has(id)).toBe(true);
    expect(store.has(pageId)).toBe(true);
    // Each shape is validated once (by the store), not once more by the binding.
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('loads the valid records of a document that also holds an invalid one', async () => {
    const [a] = pair();
    const id = createShapeId('kept');
    seed(a.store, [geo(a.store, id, 3)]);
    await until(() => a.doc.getMap(boardRecordsKey).has(id), 'the shape in the document');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(a.doc));
    doc.getMap(boardRecordsKey).set('shape:bad', {
      id: 'shape:bad',
      typeName: 'shape',
      type: 'geo',
      x: 'nope',
    });
    const store = createTLStore({
      shapeUtils: defaultShapeUtils,
      bindingUtils: defaultBindingUtils,
    });
    const awareness = new Awareness(doc);
    const binding = new TldrawYjsBinding({
      store,
      doc,
      awareness,
      user: atom('user', { id: 'late', name: 'Late', color: '#000' }),
    });
    binding.start();
    cleanups.push(() => {
      binding.destroy();
      awareness.destroy();
      doc.destroy();
    });
    expect(store.has(id)).toBe(true);
    expect(store.has(pageId)).toBe(true);
    expect(store.has('shape:bad' as TLShapeId)).toBe(false);
  });
});
