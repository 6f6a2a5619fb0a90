/**
 * The per-class CPU estimate on a real mediasoup worker: two classes forwarding real VP8 from
 * ffmpeg to plain-transport viewers, one with three consumers, the other with one. What the
 * worker spends between two scrapes is shared 3:1, and an ended class's series goes.
 */
import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { start, type Room, type Sfu } from './index.js';
import { startSyntheticProducer, type SyntheticProducer } from './recording/synthetic-producer.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let sfu: Sfu;
let registry: Registry;
const feeds: SyntheticProducer[] = [];
const sockets: Socket[] = [];

beforeEach(async () => {
  registry = new Registry();
  sfu = await start({
    logger,
    registry,
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    lastN: 0,
    dynacast: false,
  });
});

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
  for (const s of sockets.splice(0)) s.close();
  await sfu.close();
});

/** A class whose camera reaches `viewers` plain-transport viewers; resolves once all receive. */
async function classWithViewers(classId: string, viewers: number): Promise<Room> {
  const room = await sfu.createRoom(classId);
  const feed = await startSyntheticProducer(room, { peerId: `${classId}-cam`, kind: 'video' });
  feeds.push(feed);
  let received = 0;
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.on('message', () => received++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  for (let i = 0; i < viewers; i++) {
    const peer = room.join(`${classId}-viewer-${i}`);
    const t = await peer.createPlainTransport({ comedia: false, rtcpMux: true });
    await peer.connectPlainTransport(t.id, { ip: '127.0.0.1', port: socket.address().port });
    const c = await peer.consume({
      transportId: t.id,
      producerId: feed.producerId,
      rtpCapabilities: room.rtpCapabilities,
    });
    await peer.resumeConsumer(c.id);
  }
  const deadline = Date.now() + 20_000;
  while (received < 5 * viewers) {
    if (Date.now() > deadline) throw new Error(`${classId}: viewers receive nothing`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return room;
}

async function cpuByClass(): Promise<Map<string, number>> {
  const text = await registry.metrics();
  const out = new Map<string, number>();
  for (const m of text.matchAll(
    /^educloud_sfu_class_cpu_seconds_total\{class="([^"]+)"\} (\S+)$/gm,
  )) {
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

it('shares the worker’s CPU among classes by their consumers', async () => {
  await classWithViewers('class-a', 3);
  const b = await classWithViewers('class-b', 1);
  // The first scrape is the baseline.
  expect(await cpuByClass()).toEqual(
    new Map([
      ['class-a', 0],
      ['class-b', 0],
    ]),
  );
  await new Promise((r) => setTimeout(r, 1500));
  const shared = await cpuByClass();
  const a = shared.get('class-a')!;
  const bSeconds = shared.get('class-b')!;
  expect(a).toBeGreaterThan(0);
  expect(a / bSeconds).toBeCloseTo(3, 5);

  await b.close();
  let after = await cpuByClass();
  for (let i = 0; i < 50 && after.has('class-b'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await cpuByClass();
  }
  expect([...after.keys()]).toEqual(['class-a']);
  expect(after.get('class-a')!).toBeGreaterThanOrEqual(a);
});
