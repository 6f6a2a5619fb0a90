import type { Registry } from 'prom-client';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyKysely } from './store.js';
import { connectClient, waitFor, type TestClient } from './test-support/client.js';
import type { tempDir } from './test-support/db.js';
import { closeFixture, openFixture } from './test-support/fixture.js';
import { startTestServer, type TestServer } from './test-support/server.js';

const DOC = 'class/c1/board';

async function fullStates(registry: Registry): Promise<{ hit: number; miss: number }> {
  const values = (await registry.getSingleMetric('educloud_collab_full_state_total')?.get())
    ?.values;
  const of = (result: string) => values?.find((v) => v.labels.result === result)?.value ?? 0;
  return { hit: of('hit'), miss: of('miss') };
}

describe('whole-document sync for clients that hold nothing', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: AnyKysely;
  let server: TestServer;
  const clients: TestClient[] = [];
  const client = (token: string) => {
    const c = connectClient(server.url, DOC, token);
    clients.push(c);
    return c;
  };
  /** A client that opened the document now and holds exactly what `writer` holds. */
  const freshCopyOf = async (writer: TestClient, token: string) => {
    await server.handle.flush();
    const c = client(token);
    await c.synced;
    await waitFor(
      () =>
        Buffer.from(Y.encodeStateVector(c.doc)).equals(
          Buffer.from(Y.encodeStateVector(writer.doc)),
        ),
      `${token} to catch up`,
    );
    expect(c.doc.getMap('shapes').toJSON()).toEqual(writer.doc.getMap('shapes').toJSON());
    expect(c.doc.getText('notes').toString()).toBe(writer.doc.getText('notes').toString());
    return c;
  };

  beforeEach(async () => {
    ({ tmp, db, server } = await openFixture());
  });

  afterEach(() => closeFixture({ tmp, db, server }, clients));

  it('is encoded once, then served with the edits applied since', async () => {
    const a = client('student-a');
    await a.synced;
    a.doc.getMap('shapes').set('big', 'x'.repeat(20_000));
    a.doc.getText('notes').insert(0, 'hello world');
    await freshCopyOf(a, 'student-b');
    const afterB = await fullStates(server.registry);

    // Small edits since: the next fresh client gets the same encoding plus these edits.
    a.doc.getMap('shapes').set('s2', { x: 2 });
    a.doc.getText('notes').delete(0, 6);
    await freshCopyOf(a, 'student-c');
    const afterC = await fullStates(server.registry);
    expect(afterC.miss).toBe(afterB.miss);
    expect(afterC.hit).toBe(afterB.hit + 1);

    // An edit as large as a quarter of the document: encoded again rather than sent on.
    a.doc.getMap('shapes').set('big2', 'y'.repeat(10_000));
    await freshCopyOf(a, 'student-d');
    expect((await fullStates(server.registry)).miss).toBe(afterC.miss + 1);
  });

  it('after a restart, the first client gets the stored state as it was loaded', async () => {
    const a = client('student-a');
    await a.synced;
    a.doc.getMap('shapes').set('s1', { x: 1 });
    a.doc.getText('notes').insert(0, 'kept');
    await waitFor(
      async () => (await db.selectFrom('collab_updates').selectAll().execute()).length === 2,
      'both edits stored',
    );
    a.provider.disconnect();
    await server.close();

    server = await startTestServer(db);
    const b = client('student-b');
    await b.synced;
    expect(b.doc.getMap('shapes').toJSON()).toEqual({ s1: { x: 1 } });
    expect(b.doc.getText('notes').toString()).toBe('kept');
    expect(await fullStates(server.registry)).toEqual({ hit: 1, miss: 0 });
  });
});
