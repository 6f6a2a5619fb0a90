/**
 * Breakouts on a class recording's timeline, however they end: by a teacher, or on their clock
 * (the duration ran out, or a teacher's "close in N seconds"). Real server, mediasoup rooms for
 * the breakouts, Socket.IO clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakoutState, TimelineEvent } from '@educloud/protocol';
import { LiveClient } from '../test-support/live-client.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { classWithStudents } from '../test-support/class-with-students.js';
import { replayPath, replayWhenReady } from '../test-support/class-replay.js';
import { signUp } from '../test-support/sign-up.js';

let s: TestServer;
let teacher: string;
let student: string;
let classId: string;
const clients: LiveClient[] = [];

async function enter(token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  await c.connected();
  await c.ok('class:join', { classId });
  return c;
}

beforeAll(async () => {
  s = await startTestServer({ MIN_FREE_DISK_BYTES: '0' });
  teacher = (await signUp(s, 'teacher@bt.test', 'teacher')).token;
  student = (await signUp(s, 'student@bt.test', 'student')).token;
  classId = await classWithStudents(s, teacher, 'Breakouts', [student]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await s?.stop();
}, 60_000);

type BreakoutEvent = Extract<TimelineEvent, { type: 'breakout' }>;

describe('breakouts on the recording timeline', { timeout: 120_000 }, () => {
  it('keeps the close of breakouts that end on their clock, once, when they end', async () => {
    const t = await enter(teacher);
    await t.ok('class:start', {});
    const st = await enter(student);
    const { recordingId } = await t.ok('recording:start', {});

    // 1. The shortest duration runs out: everyone is sent back by the clock.
    const first = await t.ok('breakout:open', {
      count: 2,
      assignment: 'random',
      durationSeconds: 5,
    });
    let from = st.mark();
    await st.nextAfter<BreakoutState | null>(from, 'breakout:state', (x) => x === null, 30_000);

    // 2. A teacher's "close in 1 second": closed by the clock too, at the end of the countdown.
    await t.ok('breakout:open', { count: 2, assignment: 'random', durationSeconds: 600 });
    from = st.mark();
    const asked = Date.now();
    await t.ok('breakout:closeAll', { afterSeconds: 1 });
    await st.nextAfter<BreakoutState | null>(from, 'breakout:state', (x) => x === null, 30_000);

    // 3. Closed by a teacher at once (as before).
    await t.ok('breakout:open', { count: 2, assignment: 'random', durationSeconds: 600 });
    await t.ok('breakout:closeAll', {});

    await t.ok('recording:stop', {});
    const replay = await replayWhenReady(s, replayPath(classId, recordingId!), teacher);
    const breakouts = replay.timeline.filter((e): e is BreakoutEvent => e.type === 'breakout');
    expect(breakouts.map((e) => e.action)).toEqual([
      'opened',
      'closed',
      'opened',
      'closed',
      'opened',
      'closed',
    ]);
    const closes = breakouts.filter((e) => e.action === 'closed');
    // Each clock close is marked when it happened, not when it was asked for.
    expect(closes[0]!.at).toBeGreaterThanOrEqual(first.endsAt);
    expect(closes[1]!.at).toBeGreaterThanOrEqual(asked + 1000);
  });
});
