import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResult, PeerInfo } from '@educloud/protocol';
import { LiveClient } from './test-support/live-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { signUp } from './test-support/sign-up.js';

let s: TestServer;
let teacherToken: string;
let studentToken: string;
let outsiderToken: string;
let classId: string;
let otherClassId: string;
let guestToken: string;
const clients: LiveClient[] = [];

function client(token: string | undefined, opts?: { reconnection?: boolean }) {
  const c = new LiveClient(s.port, token, opts);
  clients.push(c);
  return c;
}

async function account(email: string, role: 'teacher' | 'student') {
  return (await signUp(s, email, role)).token;
}

beforeAll(async () => {
  s = await startTestServer({ RECONNECT_GRACE_MS: '3000' });
  teacherToken = await account('teacher@x.test', 'teacher');
  studentToken = await account('student@x.test', 'student');
  outsiderToken = await account('outsider@x.test', 'teacher');
  const c = await s.call('POST', '/api/classes', { token: teacherToken, body: { title: 'Live' } });
  classId = c.body.class.id;
  const code = c.body.class.inviteUrl.split('/join/')[1];
  await s.call('POST', `/api/invites/${code}/join`, { token: studentToken });
  const other = await s.call('POST', '/api/classes', {
    token: outsiderToken,
    body: { title: 'Other' },
  });
  otherClassId = other.body.class.id;
  const g = await s.call('POST', `/api/invites/${code}/guest`, { body: { displayName: 'Gus' } });
  guestToken = g.body.guestToken;
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => s.stop());

describe('handshake', () => {
  it('refuses sockets without a valid token', async () => {
    await expect(client(undefined).connected()).rejects.toThrow(/unauthorized/);
    await expect(client('garbage').connected()).rejects.toThrow(/unauthorized/);
  });
});

describe('joining', () => {
  it('lets members join, shows peers to each other and tells them who left', async () => {
    const teacher = client(teacherToken);
    await teacher.connected();
    const t = await teacher.ok('class:join', { classId });
    expect(t.role).toBe('teacher');
    expect(t.live).toBe(false);
    expect(
      (t.routerRtpCapabilities as { codecs: { mimeType: string }[] }).codecs.map((c) => c.mimeType),
    ).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/VP9', 'video/H264']));
    const student = client(studentToken);
    await student.connected();
    const st = await student.ok('class:join', { classId });
    expect(st.role).toBe('student');
    expect(st.peers.map((p) => p.name)).toEqual(['teacher']);
    const joined = await teacher.next<PeerInfo>('peer:joined');
    expect(joined).toMatchObject({ peerId: st.peerId, name: 'student', role: 'student' });
    await student.ok('class:leave', {});
    await teacher.next('peer:left', (e: { peerId: string }) => e.peerId === st.peerId);
  });

  it('tells a socket the router capabilities before it joins, as the join then does', async () => {
    const student = client(studentToken);
    await student.connected();
    const ahead = await student.ok('media:capabilities', {});
    const joined = await student.ok('class:join', { classId });
    // The browser keeps the Device it loaded ahead only if these are equal as JSON.
    expect(JSON.stringify(ahead.routerRtpCapabilities)).toBe(
      JSON.stringify(joined.routerRtpCapabilities),
    );
    expect(await student.request('media:capabilities', { extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  });

  it('keeps non-members and guests of other classes out', async () => {
    const outsider = client(outsiderToken);
    await outsider.connected();
    const r = await outsider.request('class:join', { classId });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const guest = client(guestToken);
    await guest.connected();
    const g = await guest.request('class:join', { classId: otherClassId });
    expect(g).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await guest.request('class:join', { classId })).ok).toBe(true);
  });

  it('lets only teachers start and end the class, and tells everyone', async () => {
    const teacher = client(teacherToken);
    const student = client(studentToken);
    await Promise.all([teacher.connected(), student.connected()]);
    await teacher.ok('class:join', { classId });
    await student.ok('class:join', { classId });
    for (const event of ['class:start', 'class:end', 'moderation:kick', 'moderation:mute']) {
      const payload = event.startsWith('moderation') ? { peerId: 'x' } : {};
      const r = await student.request(event, payload);
      expect(r, event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // A student cannot publish before the class starts.
    const send = await student.ok('transport:create', { direction: 'send' });
    const early = await student.request('produce', {
      transportId: send.id,
      kind: 'audio',
      rtpParameters: {},
      source: 'mic',
    });
    expect(early).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await teacher.ok('class:start', {});
    expect(await student.next('class:live', (e: { live: boolean }) => e.live)).toEqual({
      live: true,
    });
    await teacher.ok('class:end', {});
    await student.next('class:ended');
    const after = await student.request('transport:create', { direction: 'recv' });
    expect(after).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('bad input', () => {
  it('answers malformed, unknown and out-of-place events with an error ack and carries on', async () => {
    const teacher = client(teacherToken);
    const student = client(studentToken);
    await Promise.all([teacher.connected(), student.connected()]);
    await teacher.ok('class:join', { classId });
    const notYet = await student.request('transport:create', { direction: 'send' });
    expect(notYet).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await student.ok('class:join', { classId });
    const recv = await student.ok('transport:create', { direction: 'recv' });

    const garbage: [string, unknown, string][] = [
      ['class:join', { classId: 'not-a-uuid' }, 'validation_failed'],
      ['class:join', null, 'validation_failed'],
      ['class:join', 'string', 'validation_failed'],
      ['transport:create', { direction: 'sideways' }, 'validation_failed'],
      ['transport:create', { direction: 'send', extra: 1 }, 'validation_failed'],
      [
        'transport:connect',
        { transportId: recv.id, dtlsParameters: { role: 'bogus', fingerprints: 'x' } },
        'validation_failed',
      ],
      ['transport:connect', { transportId: 'nope', dtlsParameters: {} }, 'not_found'],
      ['consume', { transportId: recv.id, producerId: 'nope', rtpCapabilities: {} }, 'not_found'],
      ['consumer:resume', { consumerId: 'nope' }, 'not_found'],
      ['consumer:setPreferredLayers', { consumerId: 'nope', spatialLayer: 9 }, 'validation_failed'],
      ['producer:close', { producerId: 'someone-elses' }, 'not_found'],
      [
        'produce',
        { transportId: recv.id, kind: 'video', rtpParameters: { codecs: 'x' }, source: 'ingest' },
        'validation_failed',
      ],
      [
        'produce',
        { transportId: recv.id, kind: 'video', rtpParameters: { codecs: 'x' }, source: 'camera' },
        'conflict',
      ],
      ['no:such:event', {}, 'validation_failed'],
      ['hand:set', { raised: 'yes' }, 'validation_failed'],
      ['class:join', { classId: otherClassId }, 'forbidden'],
    ];
    for (const [event, payload, code] of garbage) {
      const r = await student.request(event, payload);
      expect(r, `${event} ${JSON.stringify(payload)}`).toMatchObject({
        ok: false,
        error: { code },
      });
    }
    // A burst without acks (fire and forget) must not break anything either.
    for (let i = 0; i < 200; i++) student.socket.emit('transport:connect', { junk: i });
    student.socket.emit('class:join');
    // The server and both sessions still work.
    await student.ok('hand:set', { raised: true });
    const updated = await teacher.next<PeerInfo>('peer:updated', (p) => p.handRaised);
    expect(updated.name).toBe('student');
    expect((await teacher.ok('transport:create', { direction: 'send' })).id).toBeTruthy();
    expect((await s.call('GET', '/healthz')).status).toBe(200);
  });
});

describe('reconnection', () => {
  it('resumes a dropped session within the grace period without a duplicate peer', async () => {
    const teacher = client(teacherToken);
    await teacher.connected();
    await teacher.ok('class:join', { classId });
    const first = client(studentToken);
    await first.connected();
    const joined: JoinResult = await first.ok('class:join', { classId });
    const transport = await first.ok('transport:create', { direction: 'recv' });
    first.socket.disconnect();

    const again = client(studentToken);
    await again.connected();
    const resumed = await again.ok('class:join', { classId, resumePeerId: joined.peerId });
    expect(resumed).toMatchObject({ peerId: joined.peerId, resumed: true });
    // The transport made before the drop is still there: ICE can restart on it.
    const ice = await again.ok('transport:restartIce', { transportId: transport.id });
    expect(ice.iceParameters).toHaveProperty('usernameFragment');
    await new Promise((r) => setTimeout(r, 3500));
    const aboutStudent = (e: unknown) => (e as { peerId: string }).peerId === joined.peerId;
    expect(teacher.seen('peer:left').filter(aboutStudent)).toEqual([]);
    expect(teacher.seen('peer:joined').filter(aboutStudent)).toHaveLength(1);
  });

  it('drops a peer whose socket stays away past the grace period', async () => {
    const teacher = client(teacherToken);
    await teacher.connected();
    await teacher.ok('class:join', { classId });
    const student = client(studentToken);
    await student.connected();
    const joined = await student.ok('class:join', { classId });
    student.socket.disconnect();
    await teacher.next('peer:left', (e: { peerId: string }) => e.peerId === joined.peerId, 8000);
  });

  it('lets a second tab of the same user replace the first cleanly', async () => {
    const teacher = client(teacherToken);
    await teacher.connected();
    await teacher.ok('class:join', { classId });
    const tab1 = client(studentToken);
    await tab1.connected();
    const one = await tab1.ok('class:join', { classId });
    const tab2 = client(studentToken);
    await tab2.connected();
    const two = await tab2.ok('class:join', { classId });
    expect(two.peerId).not.toBe(one.peerId);
    await tab1.next('session:replaced');
    await teacher.next('peer:left', (e: { peerId: string }) => e.peerId === one.peerId);
    const t = await teacher.ok('class:leave', {});
    expect(t).toBeNull();
    const rejoin = await teacher.ok('class:join', { classId });
    expect(rejoin.peers.filter((p) => p.name === 'student')).toHaveLength(1);
  });
});

describe('media worker failure', () => {
  it('rebuilds the room on a new worker and tells its clients to reconnect their media', async () => {
    const teacher = client(teacherToken);
    await teacher.connected();
    const joined = await teacher.ok('class:join', { classId });
    const room = s.sfu.getRoom(classId);
    expect(room).toBeDefined();
    process.kill(room!.workerPid, 'SIGKILL');
    await teacher.next('media:reconnect', undefined, 15_000);
    const rebuilt = s.sfu.getRoom(classId);
    expect(rebuilt?.workerPid).not.toBe(room!.workerPid);
    // The client sets its media up again on the rebuilt room.
    const again = await teacher.ok('class:join', { classId, resumePeerId: joined.peerId });
    expect(again.resumed).toBe(true);
    expect((await teacher.ok('transport:create', { direction: 'send' })).id).toBeTruthy();
  });
});
