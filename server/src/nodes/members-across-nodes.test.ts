/**
 * What participants on one node see of those on another, with two real servers (mediasoup,
 * Socket.IO over Redis, the node mesh) and Socket.IO clients: a late joiner on node B learns
 * that the teacher's microphone on node A is paused, and when node B goes away its
 * participants leave everyone's list once the reconnect grace is over.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JoinResult, ProducerInfo } from '@educloud/protocol';
import { startRedis, type RedisServer } from '../../../test-support/redis-server.js';
import { LiveClient } from '../test-support/live-client.js';
import { signUp } from '../test-support/sign-up.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { until } from '../test-support/until.js';

let redis: RedisServer;
let a: TestServer;
let b: TestServer | undefined;
let classId: string;
const tokens: Record<string, string> = {};
const clients: LiveClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const shared = { SECRET: 'n'.repeat(40), REDIS_URL: redis.url, RECONNECT_GRACE_MS: '500' };
  a = await startTestServer({ ...shared, NODE_ID: 'node-a' });
  b = await startTestServer({ ...shared, NODE_ID: 'node-b', DATA_DIR: a.dataDir });
  for (const [name, role] of [
    ['teacher', 'teacher'],
    ['s1', 'student'],
    ['s2', 'student'],
    ['s3', 'student'],
  ] as const) {
    tokens[name] = (await signUp(a, `${name}@x.test`, role)).token;
  }
  const c = await a.call('POST', '/api/classes', { token: tokens.teacher, body: { title: 'Two' } });
  classId = c.body.class.id;
  const code = c.body.class.inviteUrl.split('/join/')[1];
  for (const name of ['s1', 's2', 's3']) {
    await a.call('POST', `/api/invites/${code}/join`, { token: tokens[name] });
  }
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

async function join(
  node: TestServer,
  name: string,
): Promise<{ client: LiveClient; joined: JoinResult }> {
  const client = new LiveClient(node.port, tokens[name]);
  clients.push(client);
  await client.connected();
  return { client, joined: await client.ok('class:join', { classId }) };
}

let teacher: LiveClient;
let micId: string;

it('tells a late joiner on another node that a producer is paused', async () => {
  ({ client: teacher } = await join(a, 'teacher'));
  await teacher.ok('class:start', {});
  const send = await teacher.ok('transport:create', { direction: 'send' });
  ({ producerId: micId } = await teacher.ok('produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 1111 }],
    },
  }));
  // s1 on node B: the microphone is piped in, playing.
  const s1 = await join(b!, 's1');
  // Piped in before the join's answer (in it), or after (announced).
  const mic =
    s1.joined.producers.find((p) => p.producerId === micId) ??
    (await s1.client.next<ProducerInfo>('producer:new', (p) => p.producerId === micId));
  expect(mic.paused).toBe(false);
  // Muted on node A: s1 hears of it from node A, and node B's copy pauses over the pipe.
  await teacher.ok('producer:pause', { producerId: micId });
  expect(await s1.client.next('producer:paused', (p: { paused: boolean }) => p.paused)).toEqual({
    producerId: micId,
    peerId: mic.peerId,
    paused: true,
  });
  await until(
    async () =>
      b!.sfu
        .findClass(classId)
        ?.main?.listProducers()
        .some((p) => p.id === micId && p.paused),
    10_000,
    'the copy on node B paused',
  );
  // s2, joining node B afterwards, must not hear a paused microphone announced as playing.
  const s2 = await join(b!, 's2');
  expect(s2.joined.producers.find((p) => p.producerId === micId)?.paused).toBe(true);
});

it("takes a dead node's participants off everyone's list after the grace", async () => {
  const peersOfB: string[] = [];
  for (const name of ['s1', 's2']) {
    const p = await teacher.next<{ peerId: string; name: string }>(
      'peer:joined',
      (p) => p.name === name,
    );
    peersOfB.push(p.peerId);
  }
  const mark = teacher.mark();
  // Node B goes away with its participants still in the class (no goodbye from them).
  await b!.close();
  b = undefined;
  for (const peerId of peersOfB) {
    await teacher.nextAfter(mark, 'peer:left', (p: { peerId: string }) => p.peerId === peerId);
  }
  // A node shutting down closes its own sockets, not the other nodes'.
  expect(teacher.socket.connected).toBe(true);
  // Nor does a newcomer see them.
  const s3 = await join(a, 's3');
  expect(s3.joined.peers.map((p) => p.name).sort()).toEqual(['teacher']);
});
