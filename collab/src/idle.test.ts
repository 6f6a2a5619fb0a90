import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyKysely } from './store.js';
import { connectClient, waitFor } from './test-support/client.js';
import type { tempDir } from './test-support/db.js';
import { closeFixture, openFixture } from './test-support/fixture.js';
import { metricValue, type TestServer } from './test-support/server.js';

const DOC = 'breakout/b7/board';

describe('idle unloading', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: AnyKysely;
  let server: TestServer;

  beforeEach(async () => {
    ({ tmp, db, server } = await openFixture({ idleUnloadMs: 150 }));
  });

  afterEach(() => closeFixture({ tmp, db, server }));

  it('unloads and destroys a document nobody is connected to, and reloads it', async () => {
    const a = connectClient(server.url, DOC, 'student-a');
    await a.synced;
    a.doc.getArray('items').push(['one', 'two']);
    const doc = server.handle.getLoadedDocument(DOC);
    expect(doc).toBeDefined();
    await waitFor(() => doc!.getArray('items').length === 2, 'update applied');
    let destroyed = false;
    doc!.on('destroy', () => {
      destroyed = true;
    });
    a.destroy();

    await waitFor(() => destroyed, 'destroy');
    expect(server.handle.getLoadedDocument(DOC)).toBeUndefined();
    expect(doc!.isDestroyed).toBe(true);
    expect(await metricValue(server.registry, 'educloud_collab_open_documents')).toBe(0);
    expect(await metricValue(server.registry, 'educloud_collab_connections')).toBe(0);

    const b = connectClient(server.url, DOC, 'student-b');
    await b.synced;
    expect(b.doc.getArray('items').toArray()).toEqual(['one', 'two']);
    expect(server.handle.getLoadedDocument(DOC)).not.toBe(doc);
    b.destroy();
  });
});
