import { describe, expect, it } from 'vitest';
import { connectClient, waitFor } from './test-support/client.js';
import { useFixture } from './test-support/fixture.js';
import { metricValue, startTestServer } from './test-support/server.js';

const DOC = 'class/c2/notes';

describe('document lock', () => {
  const f = useFixture();
  const { clients } = f;

  it("drops a student's edits while locked; the teacher keeps writing", async () => {
    const teacher = connectClient(f.server.url, DOC, 'teacher-t');
    const student = connectClient(f.server.url, DOC, 'student-s');
    clients.push(teacher, student);
    await Promise.all([teacher.synced, student.synced]);
    await f.server.handle.setDocumentLock(DOC, true);
    expect(await f.server.handle.isDocumentLocked(DOC)).toBe(true);

    student.doc.getMap('m').set('student', 'while locked');
    await waitFor(
      async () => (await metricValue(f.server.registry, 'educloud_collab_rejected_total')) >= 1,
      'rejection',
    );
    teacher.doc.getMap('m').set('teacher', 'while locked');
    await waitFor(() => student.doc.getMap('m').get('teacher') !== undefined, 'teacher edit');
    await f.server.handle.flush();
    expect(teacher.doc.getMap('m').has('student')).toBe(false);
    expect(f.server.handle.getLoadedDocument(DOC)?.getMap('m').has('student')).toBe(false);
    const rows = await f.db.selectFrom('collab_updates').select('author_id').execute();
    expect(rows.map((r) => r.author_id)).toEqual(['teacher-t']);

    // The lock is stored: a restarted server still refuses.
    await f.server.close();
    f.server = await startTestServer(f.db);
    expect(await f.server.handle.isDocumentLocked(DOC)).toBe(true);

    for (const c of clients.splice(0)) c.destroy();
    const teacher2 = connectClient(f.server.url, DOC, 'teacher-t');
    const student2 = connectClient(f.server.url, DOC, 'student-s2');
    clients.push(teacher2, student2);
    await Promise.all([teacher2.synced, student2.synced]);
    student2.doc.getMap('m').set('refused', 1);
    await waitFor(
      async () => (await metricValue(f.server.registry, 'educloud_collab_rejected_total')) >= 1,
      'rejection after restart',
    );
    await f.server.handle.setDocumentLock(DOC, false);
    student2.doc.getMap('m').set('after', 'unlocked');
    await waitFor(() => teacher2.doc.getMap('m').get('after') === 'unlocked', 'edit after unlock');
    expect(teacher2.doc.getMap('m').get('teacher')).toBe('while locked');
    // The student's client still held the refused edit; the later edit built on it, so the
    // server closed that socket (gap) and the reconnect handshake re-sent both. Preventing and
    // undoing edits while locked is the web client's job (it gets a permission-denied message).
    expect(teacher2.doc.getMap('m').get('refused')).toBe(1);
  });
});
