import * as encoding from 'lib0/encoding';
import * as prng from 'lib0/prng';
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

/**
 * Every random choice comes from this seed, one generator per attacking worker so the
 * messages do not depend on how the workers interleave. Replay a failure with FUZZ_SEED=<n>;
 * FUZZ_SEED=random explores a new one.
 */
const SEED =
  process.env.FUZZ_SEED === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.FUZZ_SEED ?? 20261129);
const replay = `(replay with FUZZ_SEED=${SEED})`;
console.log(`fuzz seed ${SEED} ${replay}`);

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

type Gen = prng.PRNG;

const random = (g: Gen, len: number): Uint8Array => prng.uint8Array(g, len);
const between = (g: Gen, min: number, max: number): number => prng.int32(g, min, max);
const pick = <T>(g: Gen, xs: readonly T[]): T => prng.oneOf(g, xs as T[]);

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

const kinds = [
  'random',
  'truncated',
  'random-update',
  'unknown-type',
  'bad-awareness',
  'gap',
  'text',
  'oversized',
  'trailing',
] as const;
type Kind = (typeof kinds)[number];

/**
 * What the server may answer each kind with. `certain`: it is refused, never let through.
 * `immediate`: refused as the frame arrives (before parsing); the others are refused once
 * parsed or, for updates, once their turn in the document's queue comes, so a later frame of
 * the same socket that is refused immediately may close it first.
 */
const expected: Record<Kind, { codes: number[]; certain: boolean; immediate: boolean }> = {
  // Random bytes can happen to be a valid message (a sync step 1, a query, an update).
  random: { codes: [4400, 4509], certain: false, immediate: false },
  truncated: { codes: [4400], certain: true, immediate: false },
  // Random bytes in an update can decode to an empty or dangling update.
  'random-update': { codes: [4400, 4509], certain: false, immediate: false },
  'unknown-type': { codes: [4400], certain: true, immediate: false },
  'bad-awareness': { codes: [4400], certain: true, immediate: false },
  gap: { codes: [4509], certain: true, immediate: false },
  text: { codes: [4400], certain: true, immediate: true },
  oversized: { codes: [1009], certain: true, immediate: true },
  trailing: { codes: [4400], certain: true, immediate: false },
};
/** Our own hang-up after 1.5 s, when every message of a socket happened to be acceptable. */
const HUNG_UP = 1006;

/**
 * The close codes a socket sent `batch` may get: any of its messages up to the first one
 * refused on arrival (nothing after it is read); our hang-up only if none is surely refused.
 */
function acceptable(batch: Kind[]): Set<number> {
  const codes = new Set<number>();
  for (const kind of batch) {
    for (const c of expected[kind].codes) codes.add(c);
    if (expected[kind].immediate) return codes;
  }
  if (!batch.some((kind) => expected[kind].certain)) codes.add(HUNG_UP);
  return codes;
}

function badMessage(g: Gen, samples: Uint8Array[]): { data: Uint8Array | string; kind: Kind } {
  const updateMsg = (u: Uint8Array) =>
    frame((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint8Array(e, u);
    });
  const kind = pick(g, kinds);
  switch (kind) {
    case 'random':
      return { kind, data: random(g, between(g, 1, 300)) };
    case 'truncated': {
      const m = updateMsg(pick(g, samples));
      return { kind, data: m.slice(0, between(g, 1, m.length - 1)) };
    }
    case 'random-update':
      return { kind, data: updateMsg(random(g, between(g, 1, 200))) };
    case 'unknown-type':
      return { kind, data: frame((e) => encoding.writeVarUint(e, between(g, 4, 1003))) };
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
      return { kind, data: updateMsg(samples[between(g, 1, samples.length - 1)]!) };
    case 'text':
      return { kind, data: 'hello' };
    case 'oversized':
      return { kind, data: updateMsg(random(g, MAX_UPDATE + 10)) };
    case 'trailing': {
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

    const codes = new Map<number, number>();
    const kindsSent = new Map<Kind, number>();
    const surprises: string[] = [];
    // Random bytes may, rarely, be a valid update: only those sockets may have stored one.
    const mayStore = new Set(['student-a']);
    let edits = 0;
    const editor = setInterval(() => {
      a.doc.getArray('log').push([edits++]);
    }, 25);
    const SOCKETS_PER_WORKER = 60;
    const worker = async (w: number) => {
      const g = prng.create(SEED + w);
      for (let i = 0; i < SOCKETS_PER_WORKER; i++) {
        // A few messages per socket: the server must ignore what follows the first offence.
        const batch = Array.from({ length: between(g, 1, 4) }, () => badMessage(g, samples));
        for (const m of batch) kindsSent.set(m.kind, (kindsSent.get(m.kind) ?? 0) + 1);
        const user = `student-fuzz${w}x${i}`;
        if (batch.some((m) => !expected[m.kind].certain)) mayStore.add(user);
        const code = await attack(
          server.url,
          user,
          batch.map((m) => m.data),
        );
        codes.set(code, (codes.get(code) ?? 0) + 1);
        const allowed = acceptable(batch.map((m) => m.kind));
        if (!allowed.has(code)) {
          surprises.push(`worker ${w} socket ${i}: [${batch.map((m) => m.kind)}] closed ${code}`);
        }
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

    // Each socket got the answer its first refused message calls for.
    expect(surprises, `unexpected close codes ${replay}`).toEqual([]);
    expect(await flood, `flood ${replay}`).toBe(4529);
    // The seed exercised every kind, and the certain refusals happened.
    expect([...kindsSent.keys()].sort(), `kinds sent ${replay}`).toEqual([...kinds].sort());
    expect(codes.get(4400), `4400 count ${replay}`).toBeGreaterThan(0);
    expect(codes.get(1009), `1009 count ${replay}`).toBeGreaterThan(0);
    expect(codes.get(4509), `4509 count ${replay}`).toBeGreaterThan(0);

    // The real clients are still connected and agree.
    await waitFor(() => b.doc.getArray('log').length === edits, `b catches up ${replay}`);
    expect(a.provider.wsconnected && b.provider.wsconnected, `clients connected ${replay}`).toBe(
      true,
    );

    // A fresh client, a restarted server and the stored rows all hold the same document.
    const c = connectClient(server.url, DOC, 'student-c');
    clients.push(c);
    await c.synced;
    expect(c.doc.getArray('log').toArray()).toEqual(a.doc.getArray('log').toArray());
    await server.handle.flush();
    // Only the real client's edits were stored, every row decodes, and replayed in order they
    // rebuild its document with nothing left pending.
    const rows = await db
      .selectFrom('collab_updates')
      .select(['data', 'author_id'])
      .orderBy('seq')
      .execute();
    const authors = new Set(rows.map((r) => r.author_id as string));
    expect(authors.has('student-a'), `the real client's rows ${replay}`).toBe(true);
    for (const author of authors)
      expect(mayStore.has(author), `row by ${author} ${replay}`).toBe(true);
    const snapshots = await db.selectFrom('collab_snapshots').select('state').execute();
    for (const r of [...rows.map((r) => r.data), ...snapshots.map((s) => s.state)]) {
      expect(() => Y.decodeUpdate(r), `stored row decodes ${replay}`).not.toThrow();
    }
    const rebuilt = new Y.Doc();
    for (const r of rows) Y.applyUpdate(rebuilt, r.data);
    expect(rebuilt.getArray('log').toArray(), `rebuilt ${replay}`).toEqual(
      a.doc.getArray('log').toArray(),
    );
    expect(rebuilt.store.pendingStructs, `pending ${replay}`).toBeNull();
    expect(rebuilt.store.pendingDs, `pending deletions ${replay}`).toBeNull();
    rebuilt.destroy();
    console.log('fuzz seed', SEED, 'close codes', Object.fromEntries(codes), 'edits', edits);
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
