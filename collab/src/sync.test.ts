import * as encoding from 'lib0/encoding';
import { WebSocket, WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDocumentAt } from './store.js';
import type { AnyKysely } from './store.js';
import { connectClient, upgradeStatus, waitFor, type TestClient } from './test-support/client.js';
import type { tempDir } from './test-support/db.js';
import { closeFixture, openFixture } from './test-support/fixture.js';
import { metricValue, startTestServer, type TestServer } from './test-support/server.js';

const DOC = 'class/c1/board';

describe('collab sync', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: AnyKysely;
  let server: TestServer;
  const clients: TestClient[] = [];
  const client = (token: string, doc = DOC, url = server.url) => {
    const c = connectClient(url, doc, token);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    ({ tmp, db, server } = await openFixture());
  });

  afterEach(() => closeFixture({ tmp, db, server }, clients));

  it('two clients converge, with awareness', async () => {
    const a = client('student-a');
    const b = client('student-b');
    await Promise.all([a.synced, b.synced]);
    a.doc.getMap('shapes').set('s1', { x: 1 });
    b.doc.getMap('shapes').set('s2', { x: 2 });
    a.doc.getText('notes').insert(0, 'hello');
    await waitFor(
      () => a.doc.getMap('shapes').size === 2 && b.doc.getMap('shapes').size === 2,
      'convergence',
    );
    await waitFor(() => b.doc.getText('notes').toString() === 'hello', 'text');
    a.provider.awareness.setLocalStateField('user', { name: 'A' });
    // The server stamps the authenticated name over the one the client claims.
    await waitFor(
      () => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'student-a',
      'awareness',
    );
    expect(await metricValue(server.registry, 'educloud_collab_connections')).toBe(2);
    expect(await metricValue(server.registry, 'educloud_collab_open_documents')).toBe(1);
    expect(await metricValue(server.registry, 'educloud_collab_updates_total')).toBeGreaterThan(0);
    expect(
      await metricValue(server.registry, 'educloud_collab_persisted_bytes_total'),
    ).toBeGreaterThan(0);
  });

  it('edits survive a server restart, and history can be replayed', async () => {
    const a = client('student-a');
    await a.synced;
    a.doc.getMap('shapes').set('s1', 'first');
    await server.handle.flush();
    await waitFor(
      async () => (await db.selectFrom('collab_updates').selectAll().execute()).length > 0,
      'row',
    );
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    a.doc.getMap('shapes').set('s2', 'second');
    await waitFor(
      async () => (await db.selectFrom('collab_updates').selectAll().execute()).length >= 2,
      'second row',
    );
    a.destroy();
    await server.close();

    server = await startTestServer(db);
    const b = client('student-b');
    await b.synced;
    expect(b.doc.getMap('shapes').toJSON()).toEqual({ s1: 'first', s2: 'second' });

    const past = await loadDocumentAt(db, DOC, between);
    expect(past.getMap('shapes').toJSON()).toEqual({ s1: 'first' });
    past.destroy();
    // close() compacted into a snapshot; replay still works from it.
    const snapshots = await db.selectFrom('collab_snapshots').selectAll().execute();
    expect(snapshots.length).toBe(1);
    const now = await loadDocumentAt(db, DOC, Date.now());
    expect(now.getMap('shapes').toJSON()).toEqual({ s1: 'first', s2: 'second' });
    now.destroy();
  });

  it('rebuilds any past moment across background snapshots', async () => {
    await server.close();
    server = await startTestServer(db, { compactEveryUpdates: 2 });
    const a = client('student-a');
    await a.synced;
    const moments: number[] = [];
    for (let i = 0; i < 7; i++) {
      a.doc.getMap('shapes').set(`s${i}`, i);
      await waitFor(
        async () => (await db.selectFrom('collab_updates').selectAll().execute()).length === i + 1,
        `row ${i}`,
      );
      await server.handle.flush();
      moments.push(Date.now());
      await new Promise((r) => setTimeout(r, 3));
    }
    const snapshots = await db.selectFrom('collab_snapshots').select('upto_seq').execute();
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    for (const [i, t] of moments.entries()) {
      const past = await loadDocumentAt(db, DOC, t);
      expect(Object.keys(past.getMap('shapes').toJSON()).sort()).toEqual(
        Array.from({ length: i + 1 }, (_, k) => `s${k}`),
      );
      past.destroy();
    }
    const before = await loadDocumentAt(db, DOC, moments[0]! - 1000);
    expect(before.getMap('shapes').size).toBe(0);
    before.destroy();
  });

  it('refuses bad tokens and bad document names before the upgrade', async () => {
    expect(await upgradeStatus(`${server.url}/${DOC}?token=nobody-1`)).toBe(401);
    expect(await upgradeStatus(`${server.url}/${DOC}`)).toBe(401);
    expect(await upgradeStatus(`${server.url}/class/c1/secret?token=student-1`)).toBe(400);
    expect(await upgradeStatus(`${server.url}/class/../x/board?token=student-1`)).toBe(400);
    expect(await upgradeStatus(`${server.url}/breakout/b1/notes?token=student-1`)).toBe(400);
    expect(await upgradeStatus(`${server.url}/breakout/b1/board?token=student-1`)).toBe(101);
  });

  it('leaves upgrades on other paths to other listeners', async () => {
    const other = new WebSocketServer({ noServer: true });
    server.http.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/socket.io/')) {
        other.handleUpgrade(req, socket, head, (ws) => ws.close());
      }
    });
    const base = server.url.replace('/collab', '');
    expect(await upgradeStatus(`${base}/socket.io/?EIO=4`)).toBe(101);
    other.close();
  });

  it('stores an update that arrives right behind an empty one (queue restart race)', async () => {
    const scratch = new Y.Doc();
    let update: Uint8Array = new Uint8Array();
    scratch.on('update', (u: Uint8Array) => {
      update = u;
    });
    scratch.getMap('shapes').set('k', 'v');
    const msg = (u: Uint8Array) => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint8Array(e, u);
      return encoding.toUint8Array(e);
    };
    const ws = new WebSocket(`${server.url}/${DOC}?token=student-raw`);
    await new Promise((resolve) => ws.once('open', resolve));
    // One TCP write, so the server handles both frames in one turn of the event loop.
    const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.cork();
    ws.send(msg(Y.encodeStateAsUpdate(new Y.Doc())));
    ws.send(msg(update));
    socket.uncork();
    await waitFor(
      async () => (await db.selectFrom('collab_updates').selectAll().execute()).length === 1,
      'stored update',
    );
    ws.close();
    scratch.destroy();
  });

  it("ignores a socket speaking for another client's presence", async () => {
    const a = client('student-a');
    const b = client('student-b');
    await Promise.all([a.synced, b.synced]);
    a.provider.awareness.setLocalStateField('user', { name: 'A' });
    const seenByB = () => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name;
    await waitFor(() => seenByB() === 'student-a', 'awareness');
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    const inner = encoding.createEncoder();
    encoding.writeVarUint(inner, 1);
    encoding.writeVarUint(inner, a.doc.clientID);
    encoding.writeVarUint(inner, 1_000_000);
    encoding.writeVarString(inner, JSON.stringify({ user: { name: 'Mallory' } }));
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
    const ws = new WebSocket(`${server.url}/${DOC}?token=student-m`);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(encoding.toUint8Array(e));
    await waitFor(
      async () => (await metricValue(server.registry, 'educloud_collab_rejected_total')) === 1,
      'refusal',
    );
    // Relayed, Mallory's state would read "student-m" (stamped with the sender's name).
    expect(seenByB()).toBe('student-a');
    ws.close();
  });

  it('a viewer receives edits but its own are neither stored nor relayed', async () => {
    const s = client('student-s');
    const v = client('viewer-v');
    await Promise.all([s.synced, v.synced]);
    v.doc.getMap('shapes').set('from-viewer', 1);
    s.doc.getMap('shapes').set('from-student', 1);
    await waitFor(() => v.doc.getMap('shapes').has('from-student'), 'student edit at viewer');
    await server.handle.flush();
    expect(s.doc.getMap('shapes').has('from-viewer')).toBe(false);
    const authors = await db.selectFrom('collab_updates').select('author_id').execute();
    expect(authors.map((r) => r.author_id)).not.toContain('viewer-v');
  });
});
