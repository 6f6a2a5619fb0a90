import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyKysely } from './store.js';
import { connectClient, waitFor, type TestClient } from './test-support/client.js';
import type { tempDir } from './test-support/db.js';
import { closeFixture, openFixture } from './test-support/fixture.js';
import { startTestServer, type TestServer } from './test-support/server.js';

const DOC = 'class/fuzz/board';
const MAX_UPDATE = 64 * 1024;

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

function random(len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** Real updates from a scratch document, to truncate and to send out of order. */
function sampleUpdates(): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  doc.getMap('shapes').set('x', { a: 1 });
  doc.getText('t').insert(0, 'abcdef');
  doc.getText('t').delete(1, 2);
  doc.getArray('arr').push([1, 2, 3]);
  doc.destroy();
  return updates;
}

function badMessage(samples: Uint8Array[]): { data: Uint8Array | string; kind: string } {
  const updateMsg = (u: Uint8Array) =>
    frame((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint8Array(e, u);
    });
  const kind = pick([
    'random',
    'truncated',
    'random-update',
    'unknown-type',
    'bad-awareness',
    'gap',
    'text',
    'oversized',
    'trailing',
  ]);
  switch (kind) {
    case 'random':
      return { kind, data: random(1 + Math.floor(Math.random() * 300)) };
    case 'truncated': {
      const m = updateMsg(pick(samples));
      return { kind, data: m.slice(0, 1 + Math.floor(Math.random() * (m.length - 1))) };
    }
    case 'random-update':
      return { kind, data: updateMsg(random(1 + Math.floor(Math.random() * 200))) };
    case 'unknown-type':
      return {
        kind,
        data: frame((e) => encoding.writeVarUint(e, 4 + Math.floor(Math.random() * 1000))),
      };
    case 'bad-awareness':
      return {
        kind,
        data: frame((e) => {
          encoding.writeVarUint(e, 1);
          encoding.writeVarUint8Array(
            e,
            frame((a) => {
              encoding.writeVarUint(a, 1);
              encoding.writeVarUint(a, 42);
              encoding.writeVarUint(a, 1);
              encoding.writeVarString(a, '{not json');
            }),
          );
        }),
      };
    case 'gap':
      // Later updates of a document whose first update the server never saw.
      return {
        kind,
        data: updateMsg(samples[1 + Math.floor(Math.random() * (samples.length - 1))]!),
      };
    case 'text':
      return { kind, data: 'hello' };
    case 'oversized':
      return { kind, data: updateMsg(random(MAX_UPDATE + 10)) };
    default: {
      const m = updateMsg(samples[0]!);
      const withTail = new Uint8Array(m.length + 3);
      withTail.set(m);
      return { kind, data: withTail };
    }
  }
}

/** Opens a socket, throws `count` bad messages at it and resolves with the close code. */
function attack(url: string, token: string, messages: Array<Uint8Array | string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/${DOC}?token=${token}`);
    // Sockets whose messages all happened to be valid stay open: hang up on them.
    const timer = setTimeout(() => ws.terminate(), 1500);
    ws.on('open', () => {
      for (const m of messages) ws.send(m, () => {});
    });
    ws.on('error', () => {});
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('hostile input', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: AnyKysely;
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    ({ tmp, db, server } = await openFixture({
      limits: { maxUpdateBytes: MAX_UPDATE, messagesPerSecond: 50, messageBurst: 100 },
    }));
  });

  afterEach(() => closeFixture({ tmp, db, server }, clients));

  it('closes offending sockets with a reason while real clients carry on', async () => {
    const a = connectClient(server.url, DOC, 'student-a');
    const b = connectClient(server.url, DOC, 'student-b');
    clients.push(a, b);
    await Promise.all([a.synced, b.synced]);
    const samples = sampleUpdates();

    let sent = 0;
    const codes = new Map<number, number>();
    let edits = 0;
    const editor = setInterval(() => {
      a.doc.getArray('log').push([edits++]);
    }, 25);
    const TOTAL = 3000;
    const worker = async (w: number) => {
      for (let i = 0; sent < TOTAL; i++) {
        // A few messages per socket: the server must ignore what follows the first offence.
        const batch = Array.from(
          { length: 1 + Math.floor(Math.random() * 4) },
          () => badMessage(samples).data,
        );
        sent += batch.length;
        const code = await attack(server.url, `student-fuzz${w}x${i}`, batch);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    };
    // Floods: well-formed messages, too many of them.
    const query = frame((e) => encoding.writeVarUint(e, 3));
    const flood = attack(
      server.url,
      'student-flood',
      Array.from({ length: 1000 }, () => query),
    );
    await Promise.all([...Array.from({ length: 6 }, (_, w) => worker(w)), flood]);
    clearInterval(editor);
    sent += 1000;

    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(await flood).toBe(4529);
    expect(codes.get(4400)).toBeGreaterThan(0);
    expect(codes.get(1009)).toBeGreaterThan(0);

    // The real clients are still connected and agree.
    await waitFor(() => b.doc.getArray('log').length === edits, 'b catches up');
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);

    // A fresh client, a restarted server and the stored rows all hold the same document.
    const c = connectClient(server.url, DOC, 'student-c');
    clients.push(c);
    await c.synced;
    expect(c.doc.getArray('log').toArray()).toEqual(a.doc.getArray('log').toArray());
    await server.handle.flush();
    const rows = await db.selectFrom('collab_updates').select('data').execute();
    for (const r of rows) expect(() => Y.decodeUpdate(r.data)).not.toThrow();
    const rebuilt = new Y.Doc();
    for (const r of rows) Y.applyUpdate(rebuilt, r.data);
    expect(rebuilt.getArray('log').toArray()).toEqual(a.doc.getArray('log').toArray());
    expect(rebuilt.store.pendingStructs).toBeNull();
    rebuilt.destroy();
    console.log('fuzz close codes', Object.fromEntries(codes), 'messages', sent, 'edits', edits);
  });

  it('stops a document from growing past its size limit', async () => {
    await server.close();
    server = await startTestServer(db, { limits: { maxDocumentBytes: 4000 } });
    const a = connectClient(server.url, DOC, 'student-a');
    clients.push(a);
    await a.synced;
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      a.provider.on('closed', (e: { code: number; reason: string }) => resolve(e)),
    );
    for (let i = 0; i < 10; i++) a.doc.getArray('big').push(['x'.repeat(1000)]);
    expect(await closed).toEqual({ code: 4413, reason: 'document too large' });
    await server.handle.flush();
    const rows = await db.selectFrom('collab_updates').select('data').execute();
    expect(rows.reduce((n, r) => n + r.data.byteLength, 0)).toBeLessThanOrEqual(4000);
  });
});
