/**
 * Breakout rooms end to end on the server: real mediasoup workers (two, so rooms spread), real
 * Socket.IO clients. Opening, moving, speaking to all rooms, the refusals, the clock, and what
 * the workers hold once the breakouts close.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BreakoutMoved, BreakoutState, ProducerInfo } from '@educloud/protocol';
import { LiveClient } from './test-support/live-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

let s: TestServer;
const clients: LiveClient[] = [];
const opus = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 4321 }],
};
const vp8 = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc: 1111 }],
};

let accountCount = 0;
async function account(role: 'teacher' | 'student') {
  const email = `${role}${++accountCount}@breakouts.test`;
  const r = await s.call('POST', '/api/auth/signup', {
    body: { email, password: 'longenough', displayName: email.split('@')[0], role },
  });
  return { token: r.body.accessToken as string, userId: r.body.user.id as string };
}

async function connect(token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  await c.connected();
  return c;
}

/** A live class with its teacher and `n` students joined. */
async function liveClass(n: number) {
  const teacherAccount = await account('teacher');
  const c = await s.call('POST', '/api/classes', {
    token: teacherAccount.token,
    body: { title: 'Breakouts' },
  });
  const classId = c.body.class.id as string;
  const code = c.body.class.inviteUrl.split('/join/')[1];
  const teacher = await connect(teacherAccount.token);
  const t = await teacher.ok('class:join', { classId });
  await teacher.ok('class:start', {});
  const students = [];
  for (let i = 0; i < n; i++) {
    const a = await account('student');
    await s.call('POST', `/api/invites/${code}/join`, { token: a.token });
    const client = await connect(a.token);
    const joined = await client.ok('class:join', { classId });
    students.push({ ...a, client, peerId: joined.peerId });
  }
  return {
    classId,
    teacher,
    teacherPeerId: t.peerId,
    teacherToken: teacherAccount.token,
    students,
  };
}

function routersHeld() {
  return s.sfu.pool.workers.reduce((n, w) => n + w.counts.routers, 0);
}

/** Routers as the worker processes report them (mediasoup's dump, not our bookkeeping). */
async function routersInWorkers() {
  let n = 0;
  for (const w of s.sfu.pool.workers) n += (await w.worker.dump()).routerIds.length;
  return n;
}

async function webRtcTransportsInWorkers() {
  let n = 0;
  for (const w of s.sfu.pool.workers) n += (await w.webRtcServer.dump()).webRtcTransportIds.length;
  return n;
}

beforeAll(async () => {
  s = await startTestServer({ MEDIASOUP_WORKERS: '2', RECONNECT_GRACE_MS: '400' });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => s.stop());

describe('breakout rooms', () => {
  it('opens rooms at random, keeps media inside each room, pipes the teacher in, and closes to the main room alone', async () => {
    const { classId, teacher, teacherPeerId, students } = await liveClass(4);
    const teacherSend = await teacher.ok('transport:create', { direction: 'send' });
    const mic = await teacher.ok('produce', {
      transportId: teacherSend.id,
      kind: 'audio',
      rtpParameters: opus,
      source: 'mic',
    });
    await teacher.ok('produce', {
      transportId: teacherSend.id,
      kind: 'video',
      rtpParameters: vp8,
      source: 'camera',
    });
    expect(await routersInWorkers()).toBe(1);

    const state = await teacher.ok('breakout:open', {
      count: 2,
      assignment: 'random',
      durationSeconds: 600,
    });
    expect(state.rooms).toHaveLength(2);
    const [roomA, roomB] = state.rooms.map((r) => r.id) as [string, string];
    const sizes = [roomA, roomB].map(
      (id) => Object.values(state.placement).filter((r) => r === id).length,
    );
    expect(sizes).toEqual([2, 2]);
    // A router per breakout, spread across both workers.
    expect(routersHeld()).toBe(3);
    expect(await routersInWorkers()).toBe(3);
    const rooms = s.sfu.findClass(classId)!;
    expect(new Set(rooms.rooms.map((r) => r.workerIndex)).size).toBe(2);

    // Each student is told to set media up again in their room, where the teacher is not.
    for (const st of students) {
      const moved = await st.client.next<BreakoutMoved>('breakout:moved');
      expect(moved.roomId).toBe(state.placement[st.userId]);
      expect(moved.producers).toEqual([]);
      expect(rooms.breakouts.has(moved.roomId!)).toBe(true);
    }
    const inA = students.filter((st) => state.placement[st.userId] === roomA);
    const inB = students.filter((st) => state.placement[st.userId] === roomB);

    // A student's microphone reaches their room-mate, not the other room.
    const [a1, a2] = inA as [(typeof inA)[number], (typeof inA)[number]];
    const [b1] = inB as [(typeof inB)[number]];
    const a1Send = await a1.client.ok('transport:create', { direction: 'send' });
    const a1Mic = await a1.client.ok('produce', {
      transportId: a1Send.id,
      kind: 'audio',
      rtpParameters: { ...opus, encodings: [{ ssrc: 5555 }] },
      source: 'mic',
    });
    await a2.client.next<ProducerInfo>('producer:new', (p) => p.producerId === a1Mic.producerId);
    await b1.client.ok('hand:set', { raised: false }); // a round trip: anything sent is here
    expect(
      b1.client.received.some(
        (r) =>
          r.event === 'producer:new' && (r.payload as ProducerInfo).producerId === a1Mic.producerId,
      ),
    ).toBe(false);
    expect(rooms.breakouts.get(roomA)!.peerCount).toBe(1);
    // The teacher's main-room producer is not consumable from a breakout.
    const b1Recv = await b1.client.ok('transport:create', { direction: 'recv' });
    const caps = (await b1.client.next<BreakoutMoved>('breakout:moved')).routerRtpCapabilities;
    const peek = await b1.client.request('consume', {
      transportId: b1Recv.id,
      producerId: mic.producerId,
      rtpCapabilities: caps,
    });
    expect(peek).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // Refusals change nothing.
    const before = await teacher.ok('breakout:extend', { seconds: 1 });
    const selfMove = await a1.client.request('breakout:move', {
      userId: a1.userId,
      roomId: roomB,
    });
    expect(selfMove).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const speak = await a1.client.request('breakout:speakToAll:start', {});
    expect(speak).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const other = await liveClass(0);
    const foreign = await other.teacher.ok('breakout:open', {
      count: 2,
      assignment: 'choose',
      durationSeconds: 600,
    });
    const intoForeign = await teacher.request('breakout:move', {
      userId: a1.userId,
      roomId: foreign.rooms[0]!.id,
    });
    expect(intoForeign).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const stillA = await teacher.ok('breakout:extend', { seconds: 1 });
    expect(stillA.endsAt).toBe(before.endsAt + 1000);
    const afterRefusals = await teacher.next<BreakoutState>(
      'breakout:state',
      (x) => x?.endsAt === stillA.endsAt,
    );
    expect(afterRefusals.placement).toEqual(state.placement);
    expect(rooms.breakouts.get(roomA)!.peerCount).toBe(1);
    await other.teacher.ok('breakout:closeAll', {});
    await other.teacher.ok('class:leave', {}); // its class's main room closes with it

    // Speak to all rooms: the teacher's mic and camera appear in every room.
    const marks = students.map((st) => st.client.mark());
    await teacher.ok('breakout:speakToAll:start', {});
    const copies = await Promise.all(
      students.map(async (st, i) => {
        const m = await st.client.nextAfter<ProducerInfo>(
          marks[i]!,
          'producer:new',
          (p) => p.peerId === teacherPeerId && p.source === 'mic',
        );
        await st.client.nextAfter<ProducerInfo>(
          marks[i]!,
          'producer:new',
          (p) => p.peerId === teacherPeerId && p.source === 'camera',
        );
        return m;
      }),
    );
    expect(new Set(copies.map((c) => c.producerId)).size).toBe(2); // one copy per room
    const heard = await b1.client.ok('consume', {
      transportId: b1Recv.id,
      producerId: copies[students.indexOf(b1)]!.producerId,
      rtpCapabilities: caps,
    });
    expect(heard.kind).toBe('audio');
    const closed = b1.client.next<{ consumerId: string }>(
      'consumer:closed',
      (e) => e.consumerId === heard.consumerId,
    );
    await teacher.ok('breakout:speakToAll:stop', {});
    await closed;
    await b1.client.next<{ producerId: string }>(
      'producer:closed',
      (e) => e.producerId === heard.producerId,
    );

    // Speaking again, then close all: everyone back, the workers hold the main room only.
    await teacher.ok('breakout:speakToAll:start', {});
    const backMarks = students.map((st) => st.client.mark());
    await teacher.ok('breakout:closeAll', {});
    for (const [i, st] of students.entries()) {
      const back = await st.client.nextAfter<BreakoutMoved>(backMarks[i]!, 'breakout:moved');
      expect(back.roomId).toBeNull();
      expect(back.producers.map((p) => p.producerId)).toContain(mic.producerId);
      await st.client.nextAfter(backMarks[i]!, 'breakout:state', (x) => x === null);
    }
    expect(rooms.breakouts.size).toBe(0);
    expect(routersHeld()).toBe(1);
    expect(await routersInWorkers()).toBe(1);
    // The teacher's send transport is the class's only transport left.
    expect(await webRtcTransportsInWorkers()).toBe(1);
    const listed = await s.call('GET', `/api/classes/${classId}/breakouts`, {
      token: (await account('teacher')).token,
    });
    expect(listed.status).toBe(403);
  });

  it('brings a dropped student back into their breakout, places late joiners, and returns everyone when time is up', async () => {
    const { classId, teacher, teacherToken, students } = await liveClass(2);
    const state = await teacher.ok('breakout:open', {
      count: 2,
      assignment: 'random',
      durationSeconds: 6,
    });
    const [st1] = students as [(typeof students)[number]];
    const roomOf1 = state.placement[st1.userId]!;
    await st1.client.next('breakout:moved');
    st1.client.close();
    await teacher.next<{ peerId: string }>('peer:left', (e) => e.peerId === st1.peerId);

    const again = await connect(st1.token);
    const rejoined = await again.ok('class:join', { classId });
    const seen = await again.next<BreakoutState>('breakout:state');
    expect(seen.placement[st1.userId]).toBe(roomOf1);
    // Media set up after the rejoin lands in the same breakout's router.
    await again.ok('transport:create', { direction: 'recv' });
    const rooms = s.sfu.findClass(classId)!;
    expect(rooms.breakouts.get(roomOf1)!.peerCount).toBe(1);
    expect(rejoined.producers).toEqual([]);

    // A late joiner goes to the emptiest room (random rule).
    const late = await account('student');
    const code = (
      await s.call('GET', `/api/classes/${classId}`, { token: teacherToken })
    ).body.class.inviteUrl.split('/join/')[1];
    await s.call('POST', `/api/invites/${code}/join`, { token: late.token });
    const lateClient = await connect(late.token);
    await lateClient.ok('class:join', { classId });
    const withLate = await teacher.next<BreakoutState>(
      'breakout:state',
      (x) => x !== null && late.userId in x.placement,
    );
    const counts = Object.values(withLate.placement).reduce<Record<string, number>>(
      (acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }),
      {},
    );
    expect(Object.values(counts).sort()).toEqual([1, 2]);

    // Time is up: everyone is back in the main room.
    await again.next('breakout:state', (x) => x === null, 20_000);
    await again.next<BreakoutMoved>('breakout:moved', (m) => m.roomId === null);
    await lateClient.next<BreakoutMoved>('breakout:moved', (m) => m.roomId === null);
    expect(rooms.breakouts.size).toBe(0);
    const listed = await s.call('GET', `/api/classes/${classId}/breakouts`, {
      token: teacherToken,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.breakouts).toHaveLength(2);
    expect(listed.body.breakouts[0].closedAt).not.toBeNull();
  });
});
