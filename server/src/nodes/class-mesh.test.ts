/**
 * Two nodes in one process (two SFUs with their own mediasoup worker, one real redis-server):
 * a class placed on node A, node B's room of the same class linked to it. A producer made on A
 * is piped into B (RTP sent into A arrives in B's copy), pausing and closing follow it, and when
 * node A's heartbeat stops node B drops the pipe and takes the class.
 */
import { createSocket } from 'node:dgram';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { start, type Room, type Sfu } from '@educloud/sfu';
import { startRedis, type RedisServer } from '../../../test-support/redis-server.js';
import { startNodeMesh, type NodeMeshHandle } from './start-node-mesh.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let redis: RedisServer;
const sfus: Sfu[] = [];
const nodes: Record<string, NodeMeshHandle> = {};
const rooms: Record<string, Room> = {};
const udp = createSocket('udp4');
/** Every producer the mediasoup worker of each node holds, from mediasoup's observer. */
const workerProducers: Record<string, Map<string, types.Producer>> = {};

async function startNode(nodeId: string): Promise<Sfu> {
  const sfu = await start({
    logger,
    registry: new Registry(),
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
  });
  sfus.push(sfu);
  const held = (workerProducers[nodeId] = new Map());
  sfu.pool.workers[0]!.worker.observer.on('newrouter', (router) =>
    router.observer.on('newtransport', (t) =>
      t.observer.on('newproducer', (p) => held.set(p.id, p)),
    ),
  );
  nodes[nodeId] = await startNodeMesh({
    redisUrl: redis.url,
    nodeId,
    sfu,
    pipe: {
      listenIp: '127.0.0.1',
      announcedAddress: undefined,
      portRange: { min: 45000, max: 49999 },
    },
    logger,
  });
  return sfu;
}

beforeAll(async () => {
  redis = await startRedis();
  const [a, b] = [await startNode('node-a'), await startNode('node-b')];
  rooms.a = await a.classRooms('class-1').openMain();
  await nodes['node-a']!.mesh.attach('class-1', rooms.a);
  rooms.b = await b.classRooms('class-1').openMain();
  await nodes['node-b']!.mesh.attach('class-1', rooms.b);
}, 60_000);

afterAll(async () => {
  udp.close();
  for (const n of Object.values(nodes)) await n.close();
  for (const s of sfus) await s.close();
  await redis?.stop();
});

async function until<T>(what: string, fn: () => T | Promise<T>): Promise<NonNullable<T>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Minimal Opus-like RTP packets (payload type 100, one SSRC): mediasoup only forwards them. */
function sendRtp(port: number, count: number) {
  for (let seq = 1; seq <= count; seq++) {
    const p = Buffer.alloc(12 + 40);
    p[0] = 0x80;
    p[1] = 100;
    p.writeUInt16BE(seq, 2);
    p.writeUInt32BE(seq * 960, 4);
    p.writeUInt32BE(4242, 8);
    udp.send(p, port, '127.0.0.1');
  }
}

let producerId: string;

it('places the class on the first node and links the second to it', () => {
  expect(nodes['node-a']!.mesh.owners()).toEqual({ 'class-1': 'node-a' });
  expect(nodes['node-b']!.mesh.owners()).toEqual({ 'class-1': 'node-a' });
});

it('pipes a producer of node A into node B, with its media', async () => {
  const peer = rooms.a!.join('teacher');
  const input = await peer.createPlainProducerTransport();
  ({ id: producerId } = await peer.produce({
    transportId: input.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 4242 }],
    },
  }));
  const copy = await until('the producer reaches node B', () =>
    rooms.b!.listProducers().find((p) => p.id === producerId),
  );
  expect(copy).toMatchObject({ peerId: 'teacher', kind: 'audio', source: 'mic', paused: false });
  // A consumer on node B receives the RTP sent into node A.
  rooms.b!.join('student');
  const out = await rooms.b!.peer('student').createWebRtcTransport({ direction: 'recv' });
  const consumer = await rooms.b!.peer('student').consume({
    transportId: out.id,
    producerId,
    rtpCapabilities: rooms.b!.rtpCapabilities,
  });
  expect(consumer.producerId).toBe(producerId);
  // Node B's copy (same id, B's worker) receives the RTP sent into node A, over the pipe.
  const copyOnB = workerProducers['node-b']!.get(producerId)!;
  expect(copyOnB).toBeDefined();
  const received = await until('RTP crosses the pipe', async () => {
    sendRtp(input.port, 20);
    const bytes = (await copyOnB.getStats()).reduce((n, s) => n + s.byteCount, 0);
    return bytes > 0 && bytes;
  });
  expect(received).toBeGreaterThan(0);
});

it('follows pause and close', async () => {
  await rooms.a!.peer('teacher').pauseProducer(producerId);
  await until('paused on node B', () => workerProducers['node-b']!.get(producerId)?.paused);
  await rooms.a!.peer('teacher').resumeProducer(producerId);
  await until('resumed on node B', () => !workerProducers['node-b']!.get(producerId)?.paused);
  await rooms.a!.peer('teacher').pauseProducer(producerId);
  await until('paused again on node B', isPausedOnB);
  await rooms.a!.peer('teacher').closeProducer(producerId);
  await until('closed on node B', () => !rooms.b!.listProducers().some((p) => p.id === producerId));
});

function isPausedOnB(): boolean {
  return rooms.b!.listProducers().find((p) => p.id === producerId)?.paused === true;
}

it('drops the pipe of a node whose heartbeat stopped, and takes its class', async () => {
  const peer = rooms.a!.peer('teacher');
  const input = await peer.createPlainProducerTransport();
  const { id } = await peer.produce({
    transportId: input.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 4343 }],
    },
  });
  await until('the second producer reaches node B', () =>
    rooms.b!.listProducers().some((p) => p.id === id),
  );
  // Node A goes silent, as a killed process would (no goodbye over the bus).
  await nodes['node-a']!.silence();
  await until(
    'node B drops what came from node A',
    () => !rooms.b!.listProducers().some((p) => p.id === id),
  );
  await until(
    'node B owns the class',
    () => nodes['node-b']!.mesh.owners()['class-1'] === 'node-b',
  );
});
