import { Redis } from 'ioredis';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, waitFor, type TestClient } from './test-support/client.js';
import { newDatabase, openDb, tempDir } from './test-support/db.js';
import {
  buildCollab,
  startChildServer,
  startRedis,
  type ChildServer,
  type RedisServer,
} from './test-support/processes.js';

// Child servers run collab/dist with plain node (no TypeScript loader is installed).
beforeAll(() => buildCollab(), 120_000);

describe('separate server processes', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dbFile: string;
  const children: ChildServer[] = [];
  const clients: TestClient[] = [];
  let redis: RedisServer | undefined;

  const child = async (redisUrl?: string) => {
    const c = await startChildServer(dbFile, redisUrl);
    children.push(c);
    return c;
  };
  const client = (url: string, doc: string, token: string) => {
    const c = connectClient(url, doc, token);
    clients.push(c);
    return c;
  };

  let dropDb: () => Promise<void>;

  beforeEach(async () => {
    tmp = tempDir();
    // A SQLite file, or a PostgreSQL URL in the PostgreSQL project: the children open either.
    ({ location: dbFile, drop: dropDb } = await newDatabase(tmp.dir));
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await Promise.all(children.splice(0).map((c) => c.kill('SIGTERM')));
    await redis?.stop();
    redis = undefined;
    await dropDb();
    tmp.remove();
  });

  it('kill -9 loses nothing that was relayed', async () => {
    const DOC = 'class/crash/board';
    const first = await child();
    const a = client(first.url, DOC, 'student-a');
    const b = client(first.url, DOC, 'student-b');
    await Promise.all([a.synced, b.synced]);

    let n = 0;
    const editor = setInterval(() => a.doc.getArray('log').push([n++]), 4);
    await waitFor(() => b.doc.getArray('log').length >= 150, 'relayed edits');
    // Killed while edits are still flowing.
    await first.kill('SIGKILL');
    clearInterval(editor);
    const relayed = b.doc.getArray('log').toArray();
    for (const c of clients.splice(0)) c.destroy();

    const second = await child();
    const c = client(second.url, DOC, 'student-c');
    await c.synced;
    const restored = c.doc.getArray('log').toArray();
    expect(restored.length).toBeGreaterThanOrEqual(relayed.length);
    expect(restored.slice(0, relayed.length)).toEqual(relayed);
    console.log(`kill -9: sent ${n}, relayed ${relayed.length}, restored ${restored.length}`);
  });

  it('two nodes relay updates and awareness over Redis', async () => {
    const DOC = 'class/multi/board';
    redis = await startRedis();
    const n1 = await child(redis.url);
    const n2 = await child(redis.url);

    const a = client(n1.url, DOC, 'student-a');
    await a.synced;
    a.doc.getMap('m').set('before-b', 1);
    await waitFor(() => a.doc.getMap('m').has('before-b'), 'local edit');
    // Give node 1 the time to store it: node 2 loads the document from the shared database.
    await new Promise((r) => setTimeout(r, 200));

    const b = client(n2.url, DOC, 'student-b');
    await b.synced;
    await waitFor(() => b.doc.getMap('m').get('before-b') === 1, 'stored edit on node 2');

    a.doc.getMap('m').set('from-a', 'n1');
    b.doc.getMap('m').set('from-b', 'n2');
    await waitFor(
      () => a.doc.getMap('m').get('from-b') === 'n2' && b.doc.getMap('m').get('from-a') === 'n1',
      'cross-node updates',
    );
    for (let i = 0; i < 50; i++) {
      a.doc.getArray('arr').push([`a${i}`]);
      b.doc.getArray('arr').push([`b${i}`]);
    }
    await waitFor(
      () => a.doc.getArray('arr').length === 100 && b.doc.getArray('arr').length === 100,
      'concurrent edits',
    );
    expect(a.doc.getArray('arr').toArray()).toEqual(b.doc.getArray('arr').toArray());

    a.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#123' });
    // Stamped with the authenticated name by node 1, relayed as such by node 2.
    await waitFor(() => {
      const user = b.provider.awareness.getStates().get(a.doc.clientID)?.user;
      return user?.name === 'student-a' && user.color === '#123';
    }, 'cross-node awareness');

    // Subscribers dropped: what node 1 publishes meanwhile is lost; node 2 catches up from the
    // database when its subscriber reconnects.
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    a.doc.getMap('m').set('during-outage', 1);
    await waitFor(() => b.doc.getMap('m').get('during-outage') === 1, 'catch-up after reconnect');
    admin.disconnect();

    // A third client on node 2 sees the union, and both nodes stored their own clients' edits.
    const c = client(n2.url, DOC, 'student-c');
    await c.synced;
    expect(c.doc.getMap('m').toJSON()).toEqual(a.doc.getMap('m').toJSON());
    await Promise.all(children.splice(0).map((ch) => ch.kill('SIGTERM')));
    const db = openDb(dbFile);
    const authors = await db
      .selectFrom('collab_updates')
      .select('author_id')
      .distinct()
      .where('doc_name', '=', DOC)
      .execute();
    await db.destroy();
    expect(authors.map((r) => r.author_id).sort()).toEqual(['student-a', 'student-b']);
  });
});
