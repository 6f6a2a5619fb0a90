/**
 * Write budgets with the stock y-websocket client against the real server. The budgets run on
 * a clock the test moves, so "a few seconds of flooding" and "five minutes of a busy class" are
 * exact: nothing refills behind the test's back, and nothing depends on the machine's speed.
 */
import * as Y from 'yjs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AnyKysely } from './store.js';
import { connectClient, nextClose, waitFor } from './test-support/client.js';
import { useFixture } from './test-support/fixture.js';

const DOC = 'class/budget/notes';
const MiB = 1024 * 1024;
/** Just under the 1 MiB frame limit, like the measured attack. */
const CHUNK = MiB - 200;

async function storedBytes(db: AnyKysely): Promise<number> {
  const rows = await db.selectFrom('collab_updates').select('data').execute();
  return rows.reduce((n, r) => n + (r.data as Uint8Array).byteLength, 0);
}

describe('write budgets', () => {
  let now = 0;
  beforeEach(() => {
    now = 0;
  });
  const f = useFixture(() => ({ clock: () => now }));
  const { clients } = f;

  it('cuts a flooding guest at the budget, across reconnects, and keeps the document small', async () => {
    const teacher = connectClient(f.server.url, DOC, 'teacher-1');
    const guest = connectClient(f.server.url, DOC, 'guest-1');
    clients.push(teacher, guest);
    await Promise.all([teacher.synced, guest.synced]);

    // The measured attack: 64 frames of 1 MiB of text, as fast as the socket takes them.
    const cut = nextClose(guest);
    for (let i = 0; i < 64; i++) guest.doc.getText('t').insert(0, 'x'.repeat(CHUNK));
    expect(await cut).toEqual({ code: 4429, reason: 'write budget exceeded' });
    await f.server.handle.flush();
    const afterFirst = await storedBytes(f.db);
    // The connection's burst (4 MiB): four chunks, not sixty-four.
    expect(afterFirst).toBeGreaterThanOrEqual(3 * CHUNK);
    expect(afterFirst).toBeLessThanOrEqual(4 * MiB);

    // Reconnecting (a new socket, same user) does not bring a fresh budget: the user's
    // (6 MiB, shared by all their sockets) is what is left.
    const again = connectClient(f.server.url, DOC, 'guest-1');
    clients.push(again);
    await again.synced;
    const cutAgain = nextClose(again);
    for (let i = 0; i < 8; i++) again.doc.getText('t2').insert(0, 'y'.repeat(CHUNK));
    expect((await cutAgain).code).toBe(4429);
    await f.server.handle.flush();
    const total = await storedBytes(f.db);
    expect(total).toBeLessThanOrEqual(6 * MiB);
    expect((await f.server.handle.documentState(DOC)).sizeBytes).toBe(total);

    // The teacher was never cut and holds exactly what was stored.
    await waitFor(
      () => teacher.doc.getText('t').length + teacher.doc.getText('t2').length >= total - MiB,
      'teacher receives what was stored',
    );
    expect(teacher.provider.wsconnected).toBe(true);
    console.log('flood: sent', (64 + 8) * CHUNK, 'bytes; stored', total, 'bytes');
  });

  it('shares one budget between the sockets of one user', async () => {
    const tabs = [1, 2, 3].map(() => connectClient(f.server.url, DOC, 'guest-2'));
    clients.push(...tabs);
    await Promise.all(tabs.map((t) => t.synced));
    const closes: number[] = [];
    for (const t of tabs) void nextClose(t).then((c) => closes.push(c.code));
    // 3 x 3 chunks: each socket stays within its own 4 MiB, together they pass 6 MiB.
    for (let i = 0; i < 3; i++) {
      for (const [n, t] of tabs.entries()) t.doc.getText(`tab${n}`).insert(0, 'z'.repeat(CHUNK));
    }
    await waitFor(() => closes.length > 0, 'a socket cut at the user budget');
    expect(closes).toContain(4429);
    await f.server.handle.flush();
    expect(await storedBytes(f.db)).toBeLessThanOrEqual(6 * MiB);
  });

  it('never cuts a busy class: two minutes of typing, drawing, pasting and PDF pages', async () => {
    const teacher = connectClient(f.server.url, DOC, 'teacher-1');
    const typist = connectClient(f.server.url, DOC, 'student-1');
    const drawer = connectClient(f.server.url, DOC, 'student-2');
    const all = [teacher, typist, drawer];
    clients.push(...all);
    await Promise.all(all.map((c) => c.synced));
    const closes: number[] = [];
    for (const c of all) c.provider.on('connection-close', (e) => closes.push(e?.code ?? 0));

    const shapes = drawer.doc.getMap('tldraw');
    let strokeId = 0;
    let points: { x: number; y: number; z: number }[] = [];
    for (let second = 0; second < 120; second++) {
      // Typing: five keystrokes a second, each its own update.
      for (let k = 0; k < 5; k++) {
        const text = typist.doc.getText('notes');
        text.insert(text.length, 'abcde'[k]!);
      }
      // Drawing: strokes of three seconds, the record rewritten twenty times a second (the
      // binding's flush interval) with all its points, then two seconds of pause.
      if (second % 5 < 3) {
        for (let f = 0; f < 20; f++) {
          for (let p = 0; p < 3; p++) points.push({ x: second * 10 + f, y: p * 7.25, z: 0.5 });
          shapes.set(`shape:${strokeId}`, { type: 'draw', props: { segments: [{ points }] } });
        }
      } else if (points.length > 0) {
        strokeId++;
        points = [];
      }
      // A student pastes a long text twice a minute.
      if (second % 30 === 15) typist.doc.getText('notes').insert(0, 'p'.repeat(200_000));
      // The teacher adds a PDF page (the web client's largest image) every ten seconds.
      if (second % 10 === 0) {
        teacher.doc.getMap('assets').set(`page:${second}`, { src: 'j'.repeat(700_000) });
      }
      now += 1000;
      await waitFor(
        () =>
          all.every((c) => {
            const mine = c.doc.clientID;
            const served = f.server.handle.getLoadedDocument(DOC);
            return (
              served !== undefined &&
              Y.getState(served.store, mine) === Y.getState(c.doc.store, mine)
            );
          }),
        `second ${second} stored`,
      );
    }
    expect(closes).toEqual([]);
    await f.server.handle.flush();
    const state = await f.server.handle.documentState(DOC);
    // Far below the 64 MiB cap, which ordinary editing therefore never reaches.
    expect(state.sizeBytes).toBeLessThan(32 * MiB);
    console.log('busy class: document', state.sizeBytes, 'bytes after 120 s');
  });
});
