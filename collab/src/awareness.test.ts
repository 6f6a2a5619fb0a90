/**
 * Awareness (cursors, names) through the real server with stock y-websocket clients: the
 * server says who a cursor belongs to, and keeps what a client may send small and slow.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { connectClient, waitFor, type TestClient } from './test-support/client.js';
import { useFixture } from './test-support/fixture.js';
import { metricValue } from './test-support/server.js';

const DOC = 'class/aware/board';

type State = {
  user?: { name?: string; id?: string; color?: string };
  presence?: { userName?: string; userId?: string; cursor?: unknown };
  n?: number;
  blob?: string;
};

describe('awareness', () => {
  let now = 0;
  beforeEach(() => {
    now = 0;
  });
  const f = useFixture(() => ({ clock: () => now }));
  const { clients } = f;

  const seenBy = (c: TestClient, from: TestClient) =>
    c.provider.awareness.getStates().get(from.doc.clientID) as State | undefined;

  it('relays the authenticated name, not the one a student claims', async () => {
    const student = connectClient(f.server.url, DOC, 'student-7');
    const other = connectClient(f.server.url, DOC, 'student-8');
    clients.push(student, other);
    await Promise.all([student.synced, other.synced]);

    // What the notes caret and the tldraw presence display.
    student.provider.awareness.setLocalState({
      user: { name: 'Teacher', id: 'teacher-1', color: '#f00' },
      presence: { userName: 'Teacher', userId: 'teacher-1', cursor: { x: 1, y: 2 } },
    });
    await waitFor(() => seenBy(other, student)?.user !== undefined, 'the student cursor');
    const seen = seenBy(other, student)!;
    expect(seen.user).toEqual({ name: 'student-7', id: 'student-7', color: '#f00' });
    expect(seen.presence).toEqual({
      userName: 'student-7',
      userId: 'student-7',
      cursor: { x: 1, y: 2 },
    });
  });

  it('drops oversized, malformed and too frequent awareness; editing goes on', async () => {
    const sender = connectClient(f.server.url, DOC, 'student-9');
    const viewer = connectClient(f.server.url, DOC, 'student-10');
    clients.push(sender, viewer);
    await Promise.all([sender.synced, viewer.synced]);

    // 40 KiB of "cursor": never relayed.
    sender.provider.awareness.setLocalState({ blob: 'b'.repeat(40 * 1024) });
    await waitFor(
      async () => (await metricValue(f.server.registry, 'educloud_collab_rejected_total')) >= 1,
      'the oversized state refused',
    );
    expect(seenBy(viewer, sender)?.blob).toBeUndefined();

    // A flood of small updates at a frozen clock: at most the burst (60) goes through.
    let relayed = 0;
    viewer.provider.awareness.on('update', ({ updated }: { updated: number[] }) => {
      if (updated.includes(sender.doc.clientID)) relayed++;
    });
    for (let n = 1; n <= 200; n++) sender.provider.awareness.setLocalState({ n });
    sender.doc.getMap('m').set('after', 'flood');
    await waitFor(() => viewer.doc.getMap('m').get('after') === 'flood', 'an edit after the flood');
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThanOrEqual(60);
    expect(seenBy(viewer, sender)?.n).toBeLessThan(200);
    // The socket was not closed for it.
    expect(sender.provider.wsconnected).toBe(true);

    // Once the bucket refills the latest state goes through again.
    now += 10_000;
    sender.provider.awareness.setLocalState({ n: 1000 });
    await waitFor(() => seenBy(viewer, sender)?.n === 1000, 'awareness after refill');
  });
});
