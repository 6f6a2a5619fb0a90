import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyKysely } from './store.js';
import { connectClient, waitFor, type TestClient } from './test-support/client.js';
import type { tempDir } from './test-support/db.js';
import { closeFixture, openFixture } from './test-support/fixture.js';
import { metricValue, startTestServer, type TestServer } from './test-support/server.js';

const DOC = 'class/c2/notes';

describe('document lock', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: AnyKysely;
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    ({ tmp, db, server } = await openFixture());
  });

  afterEach(() => closeFixture({ tmp, db, server }, clients));

  it("drops a student's edits while locked; the teacher keeps writing", async () => {
    const teacher = connectClient(server.url, DOC, 'teacher-t');
    const student = connectClient(server.url, DOC, 'student-s');
    clients.push(teacher, student);
    await Promise.all([teacher.synced, student.synced]);
    await server.handle.setDocumentLock(DOC, true);
    expect(await server.handle.isDocumentLocked(DOC)).toBe(true);

    student.doc.getMap('m').set('student', 'while locked');
    await waitFor(
      async () => (await metricValue(server.registry, 'educloud_collab_rejected_total')) >= 1,
      'rejection',
    );
    teacher.doc.getMap('m').set('teacher', 'while locked');
    await waitFor(() => student.doc.getMap('m').get('teacher') !== undefined, 'teacher edit');
    await server.handle.flush();
    expect(teacher.doc.getMap('m').has('student')).toBe(false);
    expect(server.handle.getLoadedDocument(DOC)?.getMap('m').has('student')).toBe(false);
    const rows = await db.selectFrom('collab_updates').select('author_id').execute();
    expect(rows.map((r) => r.author_id)).toEqual(['teacher-t']);

    // The lock is stored: a restarted server still refuses.
    await server.close();
    server = await startTestServer(db);
    expect(await server.handle.isDocumentLocked(DOC)).toBe(true);

    for (const c of clients.splice(0)) c.destroy();
    const teacher2 = connectClient(server.url, DOC, 'teacher-t');
    const student2 = connectClient(server.url, DOC, 'student-s2');
    clients.push(teacher2, student2);
    await Promise.all([teacher2.synced, student2.synced]);
    student2.doc.getMap('m').set('refused', 1);
    await waitFor(
      async () => (await metricValue(server.registry, 'educloud_collab_rejected_total')) >= 1,
      'rejection after restart',
    );
    await server.handle.setDocumentLock(DOC, false);
    student2.doc.getMap('m').set('after', 'unlocked');
    await waitFor(() => teacher2.doc.getMap('m').get('after') === 'unlocked', 'edit after unlock');
    expect(teacher2.doc.getMap('m').get('teacher')).toBe('while locked');
    // The student's client still held the refused edit; the later edit built on it, so the
    // server closed that socket (gap) and the reconnect handshake re-sent both. Preventing and
    // undoing edits while locked is the web client's job (it gets a permission-denied message).
    expect(teacher2.doc.getMap('m').get('refused')).toBe(1);
  });
});
