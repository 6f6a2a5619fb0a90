/**
 * A class owned by node A and spread over A's two workers (MEDIA_ROUTER_MAX_PEERS=1), with a
 * student on node B, over the wire: two real servers, mediasoup, Socket.IO over Redis, the node
 * mesh. The pipe to node B starts on the home router of A's room. When that router's worker
 * dies, home moves to A's other worker, and the class is linked to B again from there: B's
 * student is offered the microphone of the student still on A once more, and is never told to
 * set its own media up again.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProducerInfo } from '@educloud/protocol';
import { startRedis, type RedisServer } from '../../../test-support/redis-server.js';
import { classWithStudents } from '../test-support/class-with-students.js';
import { LiveClient } from '../test-support/live-client.js';
import { signUp } from '../test-support/sign-up.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { until } from '../test-support/until.js';

let redis: RedisServer;
let a: TestServer;
let b: TestServer;
let classId: string;
const tokens: Record<string, string> = {};
const clients: LiveClient[] = [];
const shared = () => ({ SECRET: 'm'.repeat(40), REDIS_URL: redis.url });

beforeAll(async () => {
  redis = await startRedis();
  // Node B starts once the class is placed: alone, node A owns it.
  a = await startTestServer({
    ...shared(),
    NODE_ID: 'node-a',
    MEDIASOUP_WORKERS: '2',
    MEDIA_ROUTER_MAX_PEERS: '1',
  });
  for (const name of ['teacher', 's1', 's2']) {
    tokens[name] = (
      await signUp(a, `${name}@x.test`, name === 'teacher' ? 'teacher' : 'student')
    ).token;
  }
  classId = await classWithStudents(a, tokens.teacher!, 'Moves', [tokens.s1!, tokens.s2!]);
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

async function join(node: TestServer, name: string) {
  const client = new LiveClient(node.port, tokens[name]);
  clients.push(client);
  await client.connected();
  const joined = await client.ok('class:join', { classId });
  return { client, joined };
}

const opus = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
});

it("links the class to the other node again from the room's new home", async () => {
  const teacher = await join(a, 'teacher');
  await teacher.client.ok('class:start', {});
  // Placed at its first transport: the teacher at home, s1 on A's other worker.
  await teacher.client.ok('transport:create', { direction: 'recv' });
  const s1 = await join(a, 's1');
  const send = await s1.client.ok('transport:create', { direction: 'send' });
  const { producerId: micId } = await s1.client.ok('produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opus(2468),
  });
  const room = a.sfu.getRoom(classId)!;
  const home = room.workerIndex;
  const other = room.workerIndexOf(s1.joined.peerId)!;
  expect(other).not.toBe(home);
  const redisClient = new Redis(redis.url);
  const owner = await redisClient.get(`educloud:nodes:class-owner:${classId}`);
  redisClient.disconnect();
  expect(owner).toBe('node-a');

  b = await startTestServer({ ...shared(), NODE_ID: 'node-b', DATA_DIR: a.dataDir });
  const s2 = await join(b, 's2');
  // s1's microphone reaches node B over the pipe from A's home router.
  const first =
    s2.joined.producers.find((p) => p.producerId === micId) ??
    (await s2.client.next<ProducerInfo>('producer:new', (p) => p.producerId === micId));
  expect(first.producerId).toBe(micId);

  const mark = s2.client.mark();
  process.kill(a.sfu.pool.workers[home]!.pid, 'SIGKILL');
  await teacher.client.next('media:reconnect', undefined, 15_000);
  expect(a.sfu.getRoom(classId)).toBe(room);
  expect(room.workerIndex).toBe(other);
  // The old pipe died with A's home router: B drops its copy and is offered a new one.
  await s2.client.nextAfter(
    mark,
    'producer:closed',
    (p: { producerId: string }) => p.producerId === micId,
  );
  await s2.client.nextAfter<ProducerInfo>(mark, 'producer:new', (p) => p.producerId === micId);
  await until(
    async () =>
      b.sfu
        .findClass(classId)
        ?.main?.listProducers()
        .some((p) => p.id === micId) ?? false,
    15_000,
    "s1's microphone on node B again",
  );
  expect(s2.client.seen('media:reconnect')).toEqual([]);
  expect(s1.client.seen('media:reconnect')).toEqual([]);
});
