/**
 * Running a class, enforced on the server: chat, raised hands, polls, moderation, the waiting
 * room and the per-peer and per-socket limits. Real server, real mediasoup worker, SQLite and
 * real Socket.IO clients; producers carry hand-written RTP parameters (no browser needed).
 */
import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  Ack,
  ChatMessage,
  ClassSettings,
  ModerationNotice,
  PeerInfo,
  PollInfo,
  PollResults,
  WaitingEntry,
} from '@educloud/protocol';
import { LiveClient } from './test-support/live-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

let s: TestServer;
const tokens: Record<'teacher' | 'ann' | 'bob' | 'outsider', string> = {
  teacher: '',
  ann: '',
  bob: '',
  outsider: '',
};
const userIds: Record<string, string> = {};
const clients: LiveClient[] = [];

const opus = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 4321 }],
};
const vp8 = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc }],
});

function client(token: string) {
  const c = new LiveClient(s.port, token);
  clients.push(c);
  return c;
}

async function account(name: keyof typeof tokens, role: 'teacher' | 'student') {
  const r = await s.call('POST', '/api/auth/signup', {
    body: { email: `${name}@x.test`, password: 'longenough', displayName: name, role },
  });
  tokens[name] = r.body.accessToken as string;
  userIds[name] = r.body.user.id as string;
}

/** A fresh class with ann and bob as students, so state never leaks between tests. */
async function newClass() {
  const c = await s.call('POST', '/api/classes', { token: tokens.teacher, body: { title: 'C' } });
  const classId = c.body.class.id as string;
  const code = (c.body.class.inviteUrl as string).split('/join/')[1]!;
  for (const who of ['ann', 'bob'] as const) {
    await s.call('POST', `/api/invites/${code}/join`, { token: tokens[who] });
  }
  return { classId, code };
}

/** Teacher, ann and bob joined to a new class; started when `live`. */
async function classroom(live = true) {
  const { classId, code } = await newClass();
  const teacher = client(tokens.teacher);
  const ann = client(tokens.ann);
  const bob = client(tokens.bob);
  await Promise.all([teacher.connected(), ann.connected(), bob.connected()]);
  const joined = {
    teacher: await teacher.ok('class:join', { classId }),
    ann: await ann.ok('class:join', { classId }),
    bob: await bob.ok('class:join', { classId }),
  };
  if (live) await teacher.ok('class:start', {});
  return { classId, code, teacher, ann, bob, joined };
}

/** Waits until every earlier event to `c` has arrived: a round trip through the server. */
async function settle(c: LiveClient) {
  await c.ok('transport:stats', { transportId: 'none' }).catch(() => undefined);
}

beforeAll(async () => {
  s = await startTestServer();
  await account('teacher', 'teacher');
  await account('ann', 'student');
  await account('bob', 'student');
  await account('outsider', 'teacher');
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => s.stop());

describe('chat', () => {
  it('stores messages, fans them out, keeps private ones to the teachers and lets teachers delete', async () => {
    const { classId, teacher, ann, bob } = await classroom(false);
    const sent = await ann.ok('chat:send', { text: '  <b>hello</b> https://x.test  ' });
    expect(sent.message).toMatchObject({
      classId,
      senderId: userIds.ann,
      senderName: 'ann',
      role: 'student',
      text: '<b>hello</b> https://x.test',
      to: 'everyone',
    });
    for (const c of [teacher, bob]) {
      const m = await c.next<ChatMessage>('chat:message', (x) => x.id === sent.message.id);
      expect(m.text).toBe('<b>hello</b> https://x.test');
    }
    const secret = await bob.ok('chat:send', { text: 'I am lost', to: 'teachers' });
    await teacher.next<ChatMessage>('chat:message', (x) => x.id === secret.message.id);
    await bob.next<ChatMessage>('chat:message', (x) => x.id === secret.message.id);
    await settle(ann);
    expect(ann.seen('chat:message').map((m) => (m as ChatMessage).id)).not.toContain(
      secret.message.id,
    );

    const oversized = await ann.request('chat:send', { text: 'x'.repeat(2001) });
    expect(oversized).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const blank = await ann.request('chat:send', { text: '   ' });
    expect(blank).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    // Deleting is for teachers; then the message is gone for everyone.
    const denied = await ann.request('chat:delete', { messageId: sent.message.id });
    expect(denied).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await teacher.ok('chat:delete', { messageId: sent.message.id });
    await bob.next('chat:deleted', (e: { messageId: string }) => e.messageId === sent.message.id);
    const again = await teacher.request('chat:delete', { messageId: sent.message.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // History on join and over REST: without the deleted one; private ones for teachers only.
    const kept = await teacher.ok('chat:send', { text: 'welcome' });
    await ann.ok('class:leave', {});
    const rejoined = await ann.ok('class:join', { classId });
    expect(rejoined.chat.map((m) => m.text)).toEqual(['welcome']);
    const restAnn = await s.call('GET', `/api/classes/${classId}/chat`, { token: tokens.ann });
    expect(restAnn.status).toBe(200);
    expect(restAnn.body.messages.map((m: ChatMessage) => m.id)).toEqual([kept.message.id]);
    const restBob = await s.call('GET', `/api/classes/${classId}/chat`, { token: tokens.bob });
    expect(restBob.body.messages.map((m: ChatMessage) => m.text)).toEqual(['I am lost', 'welcome']);
    const restTeacher = await s.call('GET', `/api/classes/${classId}/chat?limit=1`, {
      token: tokens.teacher,
    });
    expect(restTeacher.body.messages.map((m: ChatMessage) => m.text)).toEqual(['welcome']);
    const older = await s.call(
      'GET',
      `/api/classes/${classId}/chat?before=${encodeURIComponent(kept.message.sentAt)}`,
      { token: tokens.teacher },
    );
    expect(older.body.messages.map((m: ChatMessage) => m.text)).toEqual(['I am lost']);
    const outsider = await s.call('GET', `/api/classes/${classId}/chat`, {
      token: tokens.outsider,
    });
    expect(outsider.status).toBe(403);
    const badLimit = await s.call('GET', `/api/classes/${classId}/chat?limit=100000`, {
      token: tokens.teacher,
    });
    expect(badLimit.status).toBe(400);
  });

  it('lets teachers turn chat off for students, who can still write to the teachers', async () => {
    const { teacher, ann, bob } = await classroom(false);
    const { settings } = await teacher.ok('class:settings', { chatEnabled: false });
    expect(settings.chatEnabled).toBe(false);
    await ann.next<ClassSettings>('class:settings', (x) => !x.chatEnabled);
    const off = await ann.request('chat:send', { text: 'hi all' });
    expect(off).toMatchObject({ ok: false, error: { code: 'chat_disabled' } });
    await ann.ok('chat:send', { text: 'hi teacher', to: 'teachers' });
    await teacher.ok('chat:send', { text: 'teachers still talk' });
    await settle(bob);
    expect(bob.seen('chat:message').map((m) => (m as ChatMessage).text)).toEqual([
      'teachers still talk',
    ]);
    await teacher.ok('class:settings', { chatEnabled: true });
    await ann.ok('chat:send', { text: 'back' });
  });

  it('rate-limits one user without slowing the others', async () => {
    const { ann, bob } = await classroom(false);
    for (let i = 0; i < 5; i++) await ann.ok('chat:send', { text: `m${i}` });
    const sixth = await ann.request('chat:send', { text: 'flood' });
    expect(sixth).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    await bob.ok('chat:send', { text: 'unaffected' });
  });
});

describe('raised hands', () => {
  it('queues hands in order, keeps them over a reconnect, and lets teachers lower one or all', async () => {
    const { classId, teacher, ann, bob, joined } = await classroom(false);
    await bob.ok('hand:set', { raised: true });
    const bobUp = await teacher.next<PeerInfo>(
      'peer:updated',
      (p) => p.peerId === joined.bob.peerId && p.handRaised,
    );
    await ann.ok('hand:set', { raised: true });
    const annUp = await teacher.next<PeerInfo>(
      'peer:updated',
      (p) => p.peerId === joined.ann.peerId && p.handRaised,
    );
    expect(bobUp.handRaisedAt).not.toBeNull();
    expect(annUp.handRaisedAt!).toBeGreaterThanOrEqual(bobUp.handRaisedAt!);
    // Raising again keeps the place in the queue.
    await bob.ok('hand:set', { raised: true });
    const bobAgain = await teacher.next<PeerInfo>(
      'peer:updated',
      (p) => p !== bobUp && p.peerId === joined.bob.peerId && p.handRaised,
    );
    expect(bobAgain.handRaisedAt).toBe(bobUp.handRaisedAt);

    // Bob's connection drops and comes back as a new session: the hand is still up.
    bob.socket.disconnect();
    const bob2 = client(tokens.bob);
    await bob2.connected();
    const rejoined = await bob2.ok('class:join', { classId });
    expect(rejoined.peerId).not.toBe(joined.bob.peerId);
    const restored = await teacher.next<PeerInfo>(
      'peer:updated',
      (p) => p.peerId === rejoined.peerId && p.handRaised,
    );
    expect(restored.handRaisedAt).toBe(bobUp.handRaisedAt);

    const refused = await ann.request('hand:lower', { peerId: rejoined.peerId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await teacher.ok('hand:lower', { peerId: rejoined.peerId });
    await bob2.next<PeerInfo>(
      'peer:updated',
      (p) => p.peerId === rejoined.peerId && !p.handRaised && p.handRaisedAt === null,
    );
    await teacher.ok('hand:lowerAll', {});
    await ann.next<PeerInfo>(
      'peer:updated',
      (p) => p.peerId === joined.ann.peerId && !p.handRaised,
    );
    const missing = await teacher.request('hand:lower', { peerId: 'nobody' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('polls', () => {
  it('runs a quiz: answers change until it closes, results go live to teachers, then shared', async () => {
    const { classId, teacher, ann, bob } = await classroom(false);
    const studentCreate = await ann.request('poll:create', {
      question: 'q',
      options: ['a', 'b'],
    });
    expect(studentCreate).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    for (const bad of [
      { question: 'q', options: ['only one'] },
      { question: 'q', options: Array.from({ length: 9 }, (_, i) => `o${i}`) },
      { question: 'q', options: ['a', 'b'], correct: [2] },
      { question: 'q', options: ['a', 'b'], correct: [0, 1] },
      { question: '', options: ['a', 'b'] },
    ]) {
      const r = await teacher.request('poll:create', bad);
      expect(r, JSON.stringify(bad)).toMatchObject({
        ok: false,
        error: { code: 'validation_failed' },
      });
    }

    const { poll } = await teacher.ok('poll:create', {
      question: '2 + 2?',
      options: ['3', '4', '5'],
      correct: [1],
    });
    expect(poll).toMatchObject({ status: 'open', correct: [1], multiple: false, anonymous: false });
    const seenByAnn = await ann.next<PollInfo>('poll:opened', (p) => p.id === poll.id);
    expect(seenByAnn.correct).toBeNull();

    await ann.ok('poll:vote', { pollId: poll.id, choices: [0] });
    await ann.ok('poll:vote', { pollId: poll.id, choices: [1] });
    const twoChoices = await bob.request('poll:vote', { pollId: poll.id, choices: [0, 1] });
    expect(twoChoices).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const outOfRange = await bob.request('poll:vote', { pollId: poll.id, choices: [3] });
    expect(outOfRange).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    await bob.ok('poll:vote', { pollId: poll.id, choices: [2] });
    const live = await teacher.next<PollResults>(
      'poll:results',
      (r) => r.pollId === poll.id && r.voters === 2,
    );
    expect(live.counts).toEqual([0, 1, 1]);
    expect(live.byOption?.[1]).toEqual([{ userId: userIds.ann, name: 'ann' }]);
    await settle(bob);
    expect(bob.seen('poll:results')).toEqual([]);

    const noId = await teacher.request('poll:close', {});
    expect(noId).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    await teacher.ok('poll:close', { pollId: poll.id });
    const closeAgain = await teacher.request('poll:close', { pollId: poll.id });
    expect(closeAgain).toMatchObject({ ok: false, error: { code: 'poll_closed' } });
    const late = await bob.request('poll:vote', { pollId: poll.id, choices: [1] });
    expect(late).toMatchObject({ ok: false, error: { code: 'poll_closed' } });
    const closed = await ann.next<PollInfo>('poll:closed', (p) => p.id === poll.id);
    expect(closed.correct).toBeNull();

    await teacher.ok('poll:share', { pollId: poll.id });
    const shared = await bob.next<PollResults>('poll:results', (r) => r.pollId === poll.id);
    expect(shared.counts).toEqual([0, 1, 1]);
    expect(shared.byOption).toBeUndefined();
    await bob.next<PollInfo>('poll:closed', (p) => p.id === poll.id && p.shared);
    const withAnswer = bob
      .seen('poll:closed')
      .map((p) => p as PollInfo)
      .find((p) => p.shared);
    expect(withAnswer?.correct).toEqual([1]);

    // Listed afterwards, with the caller's own answer.
    const list = await s.call('GET', `/api/classes/${classId}/polls`, { token: tokens.bob });
    expect(list.status).toBe(200);
    expect(list.body.polls).toHaveLength(1);
    expect(list.body.polls[0]).toMatchObject({
      id: poll.id,
      myChoices: [2],
      results: { counts: [0, 1, 1], voters: 2 },
    });
    await bob.ok('class:leave', {});
    const rejoin = await bob.ok('class:join', { classId });
    expect(rejoin.polls.map((p) => p.id)).toEqual([poll.id]);
    expect(rejoin.pollResults[0]?.counts).toEqual([0, 1, 1]);
  });

  it("keeps anonymous polls anonymous and another class's polls out of reach", async () => {
    const { teacher, ann } = await classroom(false);
    const { poll } = await teacher.ok('poll:create', {
      question: 'Pick any',
      options: ['x', 'y'],
      multiple: true,
      anonymous: true,
    });
    await ann.ok('poll:vote', { pollId: poll.id, choices: [0, 1] });
    const r = await teacher.next<PollResults>('poll:results', (x) => x.pollId === poll.id);
    expect(r).toMatchObject({ counts: [1, 1], voters: 1 });
    expect(r.byOption).toBeUndefined();

    const other = await classroom(false);
    const foreign = await other.ann.request('poll:vote', { pollId: poll.id, choices: [0] });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const foreignClose = await other.teacher.request('poll:close', { pollId: poll.id });
    expect(foreignClose).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await teacher.ok('poll:close', { pollId: poll.id });
  });
});

describe('moderation', () => {
  it('mutes for real: the producer is paused and the student cannot resume it until allowed', async () => {
    const { teacher, ann, bob, joined } = await classroom();
    const send = await ann.ok('transport:create', { direction: 'send' });
    const mic = await ann.ok('produce', {
      transportId: send.id,
      kind: 'audio',
      rtpParameters: opus,
      source: 'mic',
    });
    const cam = await ann.ok('produce', {
      transportId: send.id,
      kind: 'video',
      rtpParameters: vp8(1111),
      source: 'camera',
    });
    const micAgain = await ann.request('produce', {
      transportId: send.id,
      kind: 'audio',
      rtpParameters: opus,
      source: 'mic',
    });
    expect(micAgain).toMatchObject({ ok: false, error: { code: 'limit_exceeded' } });
    const screen = await ann.request('produce', {
      transportId: send.id,
      kind: 'video',
      rtpParameters: vp8(2222),
      source: 'screen',
    });
    expect(screen).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await teacher.ok('moderation:mute', { peerId: joined.ann.peerId });
    const paused = (e: { producerId: string; paused: boolean }) =>
      e.producerId === mic.producerId && e.paused;
    await bob.next('producer:paused', paused);
    expect(await ann.next<ModerationNotice>('moderation:notice')).toEqual({
      kind: 'muted',
      by: 'teacher',
    });
    await bob.next<PeerInfo>('peer:updated', (p) => p.peerId === joined.ann.peerId && p.forcedMute);

    const resume = await ann.request('producer:resume', { producerId: mic.producerId });
    expect(resume).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Closing the mic and publishing a new one does not get round it: it starts paused.
    await ann.ok('producer:close', { producerId: mic.producerId });
    const mic2 = await ann.ok('produce', {
      transportId: send.id,
      kind: 'audio',
      rtpParameters: { ...opus, encodings: [{ ssrc: 9876 }] },
      source: 'mic',
    });
    const announced = await bob.next<{ producerId: string; paused: boolean }>(
      'producer:new',
      (p) => p.producerId === mic2.producerId,
    );
    expect(announced.paused).toBe(true);
    await settle(bob);
    const unpaused = (e: unknown) => !(e as { paused: boolean }).paused;
    expect(bob.seen('producer:paused').filter(unpaused)).toEqual([]);
    // The camera is not affected by a mute.
    expect(bob.seen('producer:paused')).toHaveLength(1);

    await teacher.ok('moderation:allowUnmute', { peerId: joined.ann.peerId });
    await ann.next<ModerationNotice>('moderation:notice', (n) => n.kind === 'unmuteAllowed');
    await ann.ok('producer:resume', { producerId: mic2.producerId });
    await bob.next(
      'producer:paused',
      (e: { producerId: string; paused: boolean }) => e.producerId === mic2.producerId && !e.paused,
    );

    // Mute all: every student, not the teachers; with "students may unmute" they can resume.
    await teacher.ok('moderation:muteAll', {});
    await ann.next<ModerationNotice>('moderation:notice', (n) => n.kind === 'mutedAll');
    await bob.next<ModerationNotice>('moderation:notice', (n) => n.kind === 'mutedAll');
    await settle(teacher);
    expect(teacher.seen('moderation:notice')).toEqual([]);
    expect(await ann.request('producer:resume', { producerId: mic2.producerId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await teacher.ok('class:settings', { studentsMayUnmute: true });
    await ann.ok('producer:resume', { producerId: mic2.producerId });

    // Ask to unmute lifts the mute and tells the student.
    await teacher.ok('moderation:askUnmute', { peerId: joined.bob.peerId });
    await bob.next<ModerationNotice>('moderation:notice', (n) => n.kind === 'unmuteRequested');

    // Stop camera closes the student's camera producer for everyone.
    await teacher.ok('moderation:stopCamera', { peerId: joined.ann.peerId });
    await bob.next(
      'producer:closed',
      (e: { producerId: string }) => e.producerId === cam.producerId,
    );
    await ann.next<ModerationNotice>('moderation:notice', (n) => n.kind === 'cameraStopped');

    // Screen sharing once the teachers allow it.
    await teacher.ok('class:settings', { studentsMayShareScreen: true });
    await ann.ok('produce', {
      transportId: send.id,
      kind: 'video',
      rtpParameters: vp8(3333),
      source: 'screen',
    });
  });

  it('answers a student sending every teacher event with an error ack and changes nothing', async () => {
    const { classId, teacher, ann, bob, joined } = await classroom();
    await bob.ok('hand:set', { raised: true });
    const { poll } = await teacher.ok('poll:create', { question: 'q', options: ['a', 'b'] });
    const message = await bob.ok('chat:send', { text: 'keep me' });
    const target = joined.bob.peerId;
    const teacherEvents: [string, unknown][] = [
      ['class:start', {}],
      ['class:end', {}],
      ['hand:lower', { peerId: target }],
      ['hand:lowerAll', {}],
      ['chat:delete', { messageId: message.message.id }],
      ['poll:create', { question: 'mine', options: ['a', 'b'] }],
      ['poll:close', { pollId: poll.id }],
      ['poll:share', { pollId: poll.id }],
      ['class:settings', { locked: true, chatEnabled: false }],
      ['moderation:mute', { peerId: target }],
      ['moderation:muteAll', {}],
      ['moderation:allowUnmute', { peerId: target }],
      ['moderation:askUnmute', { peerId: target }],
      ['moderation:stopCamera', { peerId: target }],
      ['moderation:kick', { peerId: target }],
      ['moderation:setRole', { userId: userIds.ann, role: 'teacher' }],
      ['waiting:admit', { userId: userIds.bob }],
      ['waiting:admitAll', {}],
      ['waiting:deny', { userId: userIds.bob }],
    ];
    for (const [event, payload] of teacherEvents) {
      const r = await ann.request(event, payload);
      expect(r, event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // Nothing changed: bob is in with his hand up and unmuted, the poll is open, chat is on.
    const view = client(tokens.teacher);
    await view.connected();
    const fresh = await view.ok('class:join', { classId });
    const bobNow = fresh.peers.find((p) => p.peerId === target);
    expect(bobNow).toMatchObject({ handRaised: true, forcedMute: false, role: 'student' });
    expect(fresh.peers.find((p) => p.userId === userIds.ann)?.role).toBe('student');
    expect(fresh.polls.find((p) => p.id === poll.id)?.status).toBe('open');
    expect(fresh.settings).toMatchObject({ locked: false, chatEnabled: true });
    expect(fresh.chat.map((m) => m.id)).toContain(message.message.id);
    expect(fresh.live).toBe(true);
    expect(bob.seen('kicked')).toEqual([]);
  });

  it('removes a student for the rest of the session, and revokes a guest', async () => {
    const { classId, code, teacher, ann, joined } = await classroom();
    const g = await s.call('POST', `/api/invites/${code}/guest`, { body: { displayName: 'Gus' } });
    const guestToken = g.body.guestToken as string;
    const guest = client(guestToken);
    await guest.connected();
    const guestJoined = await guest.ok('class:join', { classId });

    const selfKick = await teacher.request('moderation:kick', { peerId: joined.teacher.peerId });
    expect(selfKick).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await teacher.ok('moderation:kick', { peerId: joined.ann.peerId });
    await ann.next('kicked');
    await teacher.next('peer:left', (e: { peerId: string }) => e.peerId === joined.ann.peerId);

    // Same account, new socket; and with the old peer id: both refused.
    const back = client(tokens.ann);
    await back.connected();
    const again = await back.request('class:join', { classId });
    expect(again).toMatchObject({ ok: false, error: { code: 'removed' } });
    const resume = await back.request('class:join', {
      classId,
      resumePeerId: joined.ann.peerId,
    });
    expect(resume).toMatchObject({ ok: false, error: { code: 'removed' } });

    await teacher.ok('moderation:kick', { peerId: guestJoined.peerId });
    await guest.next('kicked');
    const guestBack = client(guestToken);
    await guestBack.connected();
    const guestAgain = await guestBack.request('class:join', { classId });
    expect(guestAgain.ok).toBe(false);
    const guestApi = await s.call('GET', `/api/classes/${classId}`, { token: guestToken });
    expect(guestApi.status).toBe(403);

    // The next session of the class lets the account back in (the guest stays out).
    await teacher.ok('class:end', {});
    const nextSession = client(tokens.ann);
    await nextSession.connected();
    expect((await nextSession.ok('class:join', { classId })).role).toBe('student');
  });

  it('locks the class and runs a waiting room with admit, admit all and deny', async () => {
    const { classId, code, teacher, ann, bob } = await classroom(false);
    await ann.ok('class:leave', {});
    await bob.ok('class:leave', {});
    await teacher.ok('class:settings', { locked: true });
    const locked = await ann.request('class:join', { classId });
    expect(locked).toMatchObject({ ok: false, error: { code: 'class_locked' } });
    await teacher.ok('class:settings', { locked: false, waitingRoom: true });

    const wait = await ann.request('class:join', { classId });
    expect(wait).toMatchObject({ ok: false, error: { code: 'waiting_room' } });
    const list = await teacher.next<{ waiting: WaitingEntry[] }>('waiting:updated', (e) =>
      e.waiting.some((w) => w.userId === userIds.ann),
    );
    expect(list.waiting.map((w) => w.name)).toEqual(['ann']);
    const notYet = await ann.request('chat:send', { text: 'let me in' });
    expect(notYet).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await teacher.ok('waiting:admit', { userId: userIds.ann });
    await ann.next('waiting:admitted');
    expect((await ann.ok('class:join', { classId })).role).toBe('student');

    expect(await bob.request('class:join', { classId })).toMatchObject({
      ok: false,
      error: { code: 'waiting_room' },
    });
    await teacher.ok('waiting:deny', { userId: userIds.bob });
    await bob.next('waiting:denied');
    const denyAgain = await teacher.request('waiting:deny', { userId: userIds.bob });
    expect(denyAgain).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await bob.request('class:join', { classId })).ok).toBe(false);
    const teacher2 = client(tokens.teacher);
    await teacher2.connected();
    const tj = await teacher2.ok('class:join', { classId });
    expect(tj.waiting.map((w) => w.userId)).toEqual([userIds.bob]);
    await teacher2.ok('waiting:admitAll', {});
    await bob.next('waiting:admitted');
    await bob.ok('class:join', { classId });

    // Someone who gives up waiting leaves the list.
    const g = await s.call('POST', `/api/invites/${code}/guest`, { body: { displayName: 'Wes' } });
    const wes = client(g.body.guestToken as string);
    await wes.connected();
    expect(await wes.request('class:join', { classId })).toMatchObject({
      ok: false,
      error: { code: 'waiting_room' },
    });
    await teacher2.next<{ waiting: WaitingEntry[] }>('waiting:updated', (e) =>
      e.waiting.some((w) => w.name === 'Wes'),
    );
    const before = teacher2.seen('waiting:updated').length;
    wes.close();
    await teacher2.next<{ waiting: WaitingEntry[] }>(
      'waiting:updated',
      (e) => teacher2.seen('waiting:updated').indexOf(e) >= before && e.waiting.length === 0,
    );
  });

  it('promotes a co-teacher and back, and takes a member off the roster over REST', async () => {
    const { classId, teacher, ann, bob, joined } = await classroom(false);
    await teacher.ok('moderation:setRole', { userId: userIds.ann, role: 'teacher' });
    await bob.next<PeerInfo>(
      'peer:updated',
      (p) => p.peerId === joined.ann.peerId && p.role === 'teacher',
    );
    await ann.next<ModerationNotice>('moderation:notice', (n) => n.kind === 'roleChanged');
    // Now a teacher: teacher events work, and private messages reach her.
    await ann.ok('hand:lowerAll', {});
    const secret = await bob.ok('chat:send', { text: 'psst', to: 'teachers' });
    await ann.next<ChatMessage>('chat:message', (m) => m.id === secret.message.id);
    await ann.ok('moderation:setRole', { userId: userIds.teacher, role: 'student' });
    // Ann is the only teacher now: she cannot step down.
    const lastTeacher = await ann.request('moderation:setRole', {
      userId: userIds.ann,
      role: 'student',
    });
    expect(lastTeacher).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await ann.ok('moderation:setRole', { userId: userIds.teacher, role: 'teacher' });
    await teacher.ok('moderation:setRole', { userId: userIds.ann, role: 'student' });
    expect(await ann.request('hand:lowerAll', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const stranger = await teacher.request('moderation:setRole', {
      userId: userIds.outsider,
      role: 'teacher',
    });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const byStudent = await s.call('DELETE', `/api/classes/${classId}/members/${userIds.bob}`, {
      token: tokens.ann,
    });
    expect(byStudent.status).toBe(403);
    const removed = await s.call('DELETE', `/api/classes/${classId}/members/${userIds.bob}`, {
      token: tokens.teacher,
    });
    expect(removed.status).toBe(204);
    const twice = await s.call('DELETE', `/api/classes/${classId}/members/${userIds.bob}`, {
      token: tokens.teacher,
    });
    expect(twice.status).toBe(404);
    await bob.ok('class:leave', {});
    expect(await bob.request('class:join', { classId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});

describe('limits', () => {
  it('caps transports per direction and refuses consuming a producer twice', async () => {
    const { teacher, ann, bob, joined } = await classroom();
    for (const direction of ['send', 'recv'] as const) {
      await ann.ok('transport:create', { direction });
      await ann.ok('transport:create', { direction });
      const third = await ann.request('transport:create', { direction });
      expect(third, direction).toMatchObject({ ok: false, error: { code: 'limit_exceeded' } });
    }
    const tSend = await teacher.ok('transport:create', { direction: 'send' });
    const mic = await teacher.ok('produce', {
      transportId: tSend.id,
      kind: 'audio',
      rtpParameters: opus,
      source: 'mic',
    });
    const bobRecv = await bob.ok('transport:create', { direction: 'recv' });
    const caps = joined.bob.routerRtpCapabilities;
    const first = await bob.ok('consume', {
      transportId: bobRecv.id,
      producerId: mic.producerId,
      rtpCapabilities: caps,
    });
    expect(first.producerId).toBe(mic.producerId);
    const second = await bob.request('consume', {
      transportId: bobRecv.id,
      producerId: mic.producerId,
      rtpCapabilities: caps,
    });
    expect(second).toMatchObject({ ok: false, error: { code: 'limit_exceeded' } });
  });

  it('answers a 10,000-event transport:create loop with error acks, drops the socket, leaves others alone', async () => {
    const { classId, code, teacher, ann, bob } = await classroom();
    const codes = new Map<string, number>();
    let sent = 0;
    while (ann.socket.connected && sent < 10_000) {
      sent += 1;
      const r = await ann.socket
        .timeout(5000)
        .emitWithAck('transport:create', { direction: 'send' })
        .catch(() => null);
      if (!r) break;
      const code = r.ok ? 'ok' : r.error.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    // Two transports, the rest refused; then the flooding socket was dropped.
    expect(codes.get('ok')).toBe(2);
    expect(codes.get('limit_exceeded') ?? 0).toBeGreaterThan(0);
    expect(codes.get('rate_limited') ?? 0).toBeGreaterThan(0);
    expect([...codes.keys()].sort()).toEqual(['limit_exceeded', 'ok', 'rate_limited']);
    expect(sent).toBeLessThan(10_000);
    expect(ann.socket.connected).toBe(false);

    // The same as one burst, without waiting for acks: refused, then dropped.
    const g = await s.call('POST', `/api/invites/${code}/guest`, { body: { displayName: 'Flo' } });
    const flood = client(g.body.guestToken as string);
    await flood.connected();
    await flood.ok('class:join', { classId });
    const burst = new Map<string, number>();
    const dropped = new Promise((resolve) => flood.socket.once('disconnect', resolve));
    for (let i = 0; i < 10_000; i++) {
      flood.socket.emit('transport:create', { direction: 'recv' }, (r: Ack<unknown>) => {
        const c = r.ok ? 'ok' : r.error.code;
        burst.set(c, (burst.get(c) ?? 0) + 1);
      });
    }
    expect(await dropped).toBe('io server disconnect');
    expect(burst.get('rate_limited') ?? 0).toBeGreaterThan(0);
    expect(burst.get('ok') ?? 0).toBeLessThanOrEqual(2);
    expect(
      [...burst.keys()].filter((k) => k !== 'ok' && k !== 'rate_limited' && k !== 'limit_exceeded'),
    ).toEqual([]);
    // Everyone else carries on.
    await bob.ok('chat:send', { text: 'still here' });
    await teacher.next<ChatMessage>('chat:message', (m) => m.text === 'still here');
    expect((await teacher.ok('transport:create', { direction: 'send' })).id).toBeTruthy();
    const metrics = await s.call('GET', '/metrics');
    expect(String(metrics.body)).toMatch(/educloud_live_sockets_dropped_total\{[^}]*\} [1-9]/);
  });
});

describe('restart', () => {
  it('keeps settings, removals, mutes, chat and polls of a class across a server restart', async () => {
    const { classId, teacher, ann, joined } = await classroom();
    const kept = await ann.ok('chat:send', { text: 'before the restart' });
    await teacher.ok('class:settings', { chatEnabled: false, studentsMayShareScreen: true });
    const { poll } = await teacher.ok('poll:create', {
      question: 'still open?',
      options: ['y', 'n'],
    });
    await teacher.ok('moderation:kick', { peerId: joined.ann.peerId });
    await teacher.ok('moderation:mute', { peerId: joined.bob.peerId });
    for (const c of clients.splice(0)) c.close();

    const dataDir = s.dataDir;
    await s.close();
    s = await startTestServer({ DATA_DIR: dataDir });
    try {
      const b = client(tokens.bob);
      await b.connected();
      await b.ok('class:join', { classId });
      const t = client(tokens.teacher);
      await t.connected();
      const after = await t.ok('class:join', { classId });
      // Still muted: the mute is the teacher's to lift, not the restart's.
      expect(after.peers.find((p) => p.userId === userIds.bob)?.forcedMute).toBe(true);
      expect(after.settings).toMatchObject({ chatEnabled: false, studentsMayShareScreen: true });
      expect(after.chat.map((m) => m.id)).toEqual([kept.message.id]);
      expect(after.polls.map((p) => [p.id, p.status])).toEqual([[poll.id, 'open']]);
      const a = client(tokens.ann);
      await a.connected();
      expect(await a.request('class:join', { classId })).toMatchObject({
        ok: false,
        error: { code: 'removed' },
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
