/**
 * Last-N and dynacast over the wire: the real server (MEDIA_LAST_N=1, MEDIA_DYNACAST=true) with Socket.IO clients
 * publishing cameras (WebRTC transports that never carry RTP: the decisions are made on who
 * consumes what, not on packets). The observer learns whose camera it receives, tiles it
 * reports on screen are added, and publishers learn when nobody watches their camera.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JoinResult, VideoLayersWanted, VideoSelection } from '@educloud/protocol';
import { LiveClient } from './test-support/live-client.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

let s: TestServer;
let classId: string;
const tokens: Record<string, string> = {};
const clients: LiveClient[] = [];

beforeAll(async () => {
  s = await startTestServer({ MEDIA_LAST_N: '1', MEDIA_DYNACAST: 'true' });
  for (const [name, role] of [
    ['teacher', 'teacher'],
    ['s1', 'student'],
    ['s2', 'student'],
    ['observer', 'student'],
  ] as const) {
    const r = await s.call('POST', '/api/auth/signup', {
      body: { email: `${name}@x.test`, password: 'longenough', displayName: name, role },
    });
    tokens[name] = r.body.accessToken;
  }
  const c = await s.call('POST', '/api/classes', { token: tokens.teacher, body: { title: 'Big' } });
  classId = c.body.class.id;
  const code = c.body.class.inviteUrl.split('/join/')[1];
  for (const name of ['s1', 's2', 'observer']) {
    await s.call('POST', `/api/invites/${code}/join`, { token: tokens[name] });
  }
  // Starting a server with its mediasoup worker takes long on a loaded machine.
}, 90_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await s.stop();
});

async function join(name: string): Promise<{ client: LiveClient; joined: JoinResult }> {
  const client = new LiveClient(s.port, tokens[name]);
  clients.push(client);
  await client.connected();
  return { client, joined: await client.ok('class:join', { classId }) };
}

/** A camera as a browser would announce it: VP8 simulcast, two streams. */
async function publishCamera(client: LiveClient, ssrc: number): Promise<string> {
  const send = await client.ok('transport:create', { direction: 'send' });
  const { producerId } = await client.ok('produce', {
    transportId: send.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
      encodings: [{ ssrc }, { ssrc: ssrc + 1 }],
    },
  });
  return producerId;
}

it('sends an observer the teacher, the last speaker slot and its visible tiles', async () => {
  const teacher = await join('teacher');
  await teacher.client.ok('class:start', {});
  const s1 = await join('s1');
  const s2 = await join('s2');
  const teacherCam = await publishCamera(teacher.client, 1000);
  await publishCamera(s1.client, 2000);
  const s2Cam = await publishCamera(s2.client, 3000);
  // Nobody consumes s2's camera yet: it is told to pause it at the source.
  expect(
    await s2.client.next<VideoLayersWanted>('video:layers', (l) => l.producerId === s2Cam),
  ).toEqual({ producerId: s2Cam, maxSpatialLayer: null });

  const observer = await join('observer');
  const recv = await observer.client.ok('transport:create', { direction: 'recv' });
  const cameras = observer.joined.producers.filter((p) => p.source === 'camera');
  expect(cameras).toHaveLength(3);
  for (const p of cameras) {
    const c = await observer.client.ok('consume', {
      transportId: recv.id,
      producerId: p.producerId,
      rtpCapabilities: observer.joined.routerRtpCapabilities,
    });
    await observer.client.ok('consumer:resume', { consumerId: c.consumerId });
  }
  // N=1: the pinned teacher and s1 (first camera after the teacher's; nobody spoke yet).
  const selected = (peerIds: string[]) => (e: VideoSelection) =>
    [...e.peerIds].sort().join() === [...peerIds].sort().join();
  const ids = { teacher: teacher.joined.peerId, s1: s1.joined.peerId, s2: s2.joined.peerId };
  await observer.client.next('video:selection', selected([ids.teacher, ids.s1]));
  // The teacher's camera has a viewer now: all its layers (two streams: 0 and 1) are wanted.
  await teacher.client.next<VideoLayersWanted>(
    'video:layers',
    (l) => l.producerId === teacherCam && l.maxSpatialLayer === 1,
  );

  // s2's tile comes on screen: its camera is added, and s2 is told to send it.
  const from = s2.client.received.length;
  await observer.client.ok('video:visible', { peerIds: [ids.s2] });
  await observer.client.next('video:selection', selected([ids.teacher, ids.s1, ids.s2]));
  await s2.client.next<VideoLayersWanted>(
    'video:layers',
    (l) => l.producerId === s2Cam && l.maxSpatialLayer === 1,
    20_000,
    from,
  );
  // Off screen again.
  const offFrom = observer.client.received.length;
  await observer.client.ok('video:visible', { peerIds: [] });
  await observer.client.next('video:selection', selected([ids.teacher, ids.s1]), 20_000, offFrom);
});

it('refuses malformed tile reports with a validation error', async () => {
  const { client } = await join('observer');
  for (const payload of [
    { peerIds: 'everyone' },
    { peerIds: [''] },
    { peerIds: Array.from({ length: 101 }, (_, i) => `p${i}`) },
    { peerIds: [], extra: true },
    null,
  ]) {
    const r = await client.request('video:visible', payload);
    expect(r, JSON.stringify(payload)?.slice(0, 40)).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  }
  expect((await client.request('video:visible', { peerIds: ['whoever'] })).ok).toBe(true);
});
