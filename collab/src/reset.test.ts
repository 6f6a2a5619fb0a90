/**
 * A teacher's reset and its undo with stock y-websocket clients and the real server: every
 * client is told, the stored document is small again (also after a restart), a copy from
 * before the reset cannot sync back in, and the undo brings the old state back.
 */
import { describe, expect, it } from 'vitest';
import { EpochConflictError } from './collab-server.js';
import { connectClient, nextClose, waitFor, type TestClient } from './test-support/client.js';
import { useFixture } from './test-support/fixture.js';
import { startRedis } from './test-support/processes.js';
import { startTestServer } from './test-support/server.js';

const DOC = 'class/reset/notes';
const KiB = 1024;

describe('reset and undo', () => {
  const f = useFixture();
  const { clients } = f;

  function join(token: string, epoch?: number): TestClient {
    const c = connectClient(
      f.server.url,
      DOC,
      token,
      epoch === undefined ? {} : { epoch: String(epoch) },
    );
    clients.push(c);
    return c;
  }

  it('empties the document for everybody, survives a restart, and undo restores it', async () => {
    const teacher = join('teacher-1', 0);
    const student = join('guest-1', 0);
    await Promise.all([teacher.synced, student.synced]);
    // A guest filled the notes.
    for (let i = 0; i < 3; i++) student.doc.getText('t').insert(0, 'x'.repeat(500 * KiB));
    teacher.doc.getMap('meta').set('title', 'Lesson 1');
    await waitFor(() => teacher.doc.getText('t').length === 1500 * KiB, 'the flood arrives');
    await f.server.handle.flush();
    const before = await f.server.handle.documentState(DOC);
    expect(before.sizeBytes).toBeGreaterThan(1500 * KiB);
    expect(before).toMatchObject({ epoch: 0, canUndoReset: false });

    const kicked = [nextClose(teacher), nextClose(student)];
    const reset = await f.server.handle.resetDocument(DOC, 'teacher-1', 0);
    expect(reset).toMatchObject({ epoch: 1, canUndoReset: true });
    expect(reset.sizeBytes).toBeLessThan(100);
    // Both are told their copy is outdated (stock clients then stop: 44xx).
    for (const k of kicked) expect(await k).toEqual({ code: 4410, reason: 'document reset' });

    // The student's old copy, offered again with its epoch, is refused and stores nothing.
    const stale = join('guest-1', 0);
    expect((await nextClose(stale)).code).toBe(4410);

    // Fresh clients get the empty document and write into it.
    const teacher2 = join('teacher-1', 1);
    const student2 = join('guest-1', 1);
    await Promise.all([teacher2.synced, student2.synced]);
    expect(teacher2.doc.getText('t').length).toBe(0);
    expect(teacher2.doc.getMap('meta').size).toBe(0);
    student2.doc.getMap('meta').set('after', 'reset');
    await waitFor(() => teacher2.doc.getMap('meta').get('after') === 'reset', 'new edits');

    // Stored: a restarted server loads the reset document only.
    for (const c of clients.splice(0)) c.destroy();
    await f.server.close();
    f.server = await startTestServer(f.db);
    const afterRestart = await f.server.handle.documentState(DOC);
    expect(afterRestart).toMatchObject({ epoch: 1, canUndoReset: true });
    expect(afterRestart.sizeBytes).toBeLessThan(1 * KiB);
    console.log(
      `reset: ${before.sizeBytes} bytes before, ${reset.sizeBytes} after, ` +
        `${afterRestart.sizeBytes} after new edits and a restart`,
    );
    const late = join('student-2', 1);
    await late.synced;
    expect(late.doc.getText('t').length).toBe(0);
    expect(late.doc.getMap('meta').get('after')).toBe('reset');

    // Undo: everybody is moved to a new epoch holding the state before the reset.
    const kickedAgain = nextClose(late);
    const undone = await f.server.handle.undoReset(DOC, 'teacher-1');
    expect(undone).toMatchObject({ epoch: 2 });
    expect((await kickedAgain).code).toBe(4410);
    const restored = join('student-3', 2);
    await restored.synced;
    expect(restored.doc.getText('t').length).toBe(1500 * KiB);
    expect(restored.doc.getMap('meta').get('title')).toBe('Lesson 1');
    expect(restored.doc.getMap('meta').has('after')).toBe(false);

    // The same reset cannot be undone twice.
    expect(undone.canUndoReset).toBe(false);
    await expect(f.server.handle.undoReset(DOC, 'teacher-1')).rejects.toThrow(
      'there is no reset to undo',
    );
    expect((await f.server.handle.documentState(DOC)).epoch).toBe(2);
  });

  it('refuses a reset based on an outdated epoch', async () => {
    await f.server.handle.resetDocument(DOC, 'teacher-1', 0);
    await expect(f.server.handle.resetDocument(DOC, 'teacher-2', 0)).rejects.toThrow(
      EpochConflictError,
    );
    expect((await f.server.handle.documentState(DOC)).epoch).toBe(1);
  });

  it('reaches the clients of another node over Redis', async () => {
    const redis = await startRedis();
    await f.server.close();
    f.server = await startTestServer(f.db, { redisUrl: redis.url });
    const other = await startTestServer(f.db, { redisUrl: redis.url });
    try {
      const here = join('teacher-1', 0);
      const there = connectClient(other.url, DOC, 'student-1', { epoch: '0' });
      clients.push(there);
      await Promise.all([here.synced, there.synced]);
      there.doc.getMap('meta').set('from', 'node 2');
      await waitFor(() => here.doc.getMap('meta').get('from') === 'node 2', 'relayed edit');
      await other.handle.flush();

      const kicked = nextClose(there);
      await f.server.handle.resetDocument(DOC, 'teacher-1');
      expect((await kicked).code).toBe(4410);
      // Node 2 dropped its copy: a new client there gets the reset document.
      const again = connectClient(other.url, DOC, 'student-1', { epoch: '1' });
      clients.push(again);
      await again.synced;
      expect(again.doc.getMap('meta').size).toBe(0);
      again.doc.getMap('meta').set('after', 'reset');
      const fresh = join('teacher-1', 1);
      await fresh.synced;
      await waitFor(() => fresh.doc.getMap('meta').get('after') === 'reset', 'new epoch relayed');
    } finally {
      for (const c of clients.splice(0)) c.destroy();
      await other.close();
      // Closed while Redis is still up; afterEach closes the replacement.
      await f.server.close();
      f.server = await startTestServer(f.db);
      await redis.stop();
    }
  });
});
