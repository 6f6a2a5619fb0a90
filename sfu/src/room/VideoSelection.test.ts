/**
 * Last-N and dynacast on a real mediasoup worker: three cameras fed by ffmpeg (VP8 over plain
 * RTP), one viewer receiving on a plain transport into a UDP socket. What reaches the socket
 * (per SSRC) proves which consumers the room lets flow.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { start, type Room, type Sfu } from '../index.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let sfu: Sfu;
let registry: Registry;
let room: Room;
let sink: Socket;
const children: ChildProcess[] = [];
/** Packets received by the viewer's socket, by SSRC. */
const packets = new Map<number, number>();

beforeEach(async () => {
  registry = new Registry();
  sfu = await start({
    logger,
    registry,
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    lastN: 1,
    dynacast: true,
  });
  room = await sfu.createRoom('class-1');
  sink = createSocket('udp4');
  sink.on('message', (msg) => {
    // RTP (RTCP has packet types 200-206 in its second byte) carries its SSRC at bytes 8-11.
    if (msg.length < 12 || (msg[1]! >= 200 && msg[1]! <= 206)) return;
    const ssrc = msg.readUInt32BE(8);
    packets.set(ssrc, (packets.get(ssrc) ?? 0) + 1);
  });
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
});

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
  sink.close();
  packets.clear();
  await sfu.close();
});

async function camera(peerId: string, ssrc: number): Promise<string> {
  const peer = room.join(peerId);
  const t = await peer.createPlainProducerTransport();
  const { id } = await peer.produce({
    transportId: t.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc }],
    },
  });
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '100k', '-g', '10'],
      ...['-an', '-ssrc', String(ssrc), '-payload_type', '101'],
      ...['-f', 'rtp', `rtp://${t.ip}:${t.port}?rtcpport=${t.rtcpPort}&pkt_size=1200`],
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
  return id;
}

/** Packets per SSRC that arrive during `ms`. */
async function arriving(ms: number): Promise<Map<number, number>> {
  const before = new Map(packets);
  await new Promise((r) => setTimeout(r, ms));
  const out = new Map<number, number>();
  for (const [ssrc, n] of packets) {
    const d = n - (before.get(ssrc) ?? 0);
    if (d > 0) out.set(ssrc, d);
  }
  return out;
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('forwards only the selected cameras and switches by resuming, telling publishers', async () => {
  const selections: { peerId: string; peerIds: string[] }[] = [];
  const layers: { peerId: string; producerId: string; maxSpatialLayer: number | null }[] = [];
  room.on('videoSelection', (e) => selections.push(e));
  room.on('videoLayers', (e) => layers.push(e));
  const teacherCam = await camera('teacher', 1111);
  const aliceCam = await camera('alice', 2222);
  const bobCam = await camera('bob', 3333);
  room.setPinned('teacher', true);
  // Nobody receives any camera yet: dynacast tells each publisher to pause it.
  for (const id of [teacherCam, aliceCam, bobCam]) {
    expect(layers.filter((l) => l.producerId === id).at(-1)?.maxSpatialLayer).toBeNull();
  }

  const viewer = room.join('viewer');
  const recv = await viewer.createPlainTransport({ comedia: false, rtcpMux: true });
  await viewer.connectPlainTransport(recv.id, { ip: '127.0.0.1', port: sink.address().port });
  const ssrcOf = new Map<string, number>();
  for (const producerId of [teacherCam, aliceCam, bobCam]) {
    const c = await viewer.consume({
      transportId: recv.id,
      producerId,
      rtpCapabilities: room.rtpCapabilities,
    });
    ssrcOf.set(c.peerId, c.rtpParameters.encodings![0]!.ssrc!);
    await viewer.resumeConsumer(c.id);
  }
  // Last-N = 1: the pinned teacher plus alice (first camera after the teacher, nobody spoke).
  expect(
    selections
      .filter((s) => s.peerId === 'viewer')
      .at(-1)
      ?.peerIds.sort(),
  ).toEqual(['alice', 'teacher']);
  expect(room.videoCounts).toEqual({ flowing: 2, held: 1 });
  const metrics = await registry.metrics();
  expect(metrics).toMatch(
    /^educloud_sfu_class_video_consumers\{class="class-1",state="flowing"\} 2$/m,
  );
  expect(metrics).toMatch(
    /^educloud_sfu_class_video_consumers\{class="class-1",state="held"\} 1$/m,
  );
  expect(metrics).toMatch(/^educloud_sfu_class_consumers\{class="class-1"\} 3$/m);
  expect(metrics).toMatch(
    /^educloud_sfu_class_bitrate_bits\{class="class-1",direction="in"\} \d+/m,
  );
  await until('teacher and alice reach the viewer', async () => {
    const got = await arriving(1000);
    return got.has(ssrcOf.get('teacher')!) && got.has(ssrcOf.get('alice')!);
  });
  expect((await arriving(1500)).has(ssrcOf.get('bob')!)).toBe(false);
  expect(layers.filter((l) => l.producerId === aliceCam).at(-1)?.maxSpatialLayer).toBe(2);
  expect(layers.filter((l) => l.producerId === bobCam).at(-1)?.maxSpatialLayer).toBeNull();

  // Bob's tile comes on screen: his camera flows beyond N.
  room.setVisible('viewer', ['bob']);
  expect(room.videoCounts).toEqual({ flowing: 3, held: 0 });
  await until('bob reaches the viewer', async () => (await arriving(1000)).has(ssrcOf.get('bob')!));

  // Off screen again, and the teacher unpinned: the one last-N place goes to the first camera
  // in arrival order (nobody spoke), the teacher's; alice is held back at once, and told nobody
  // watches once that held for LOWER_LAYER_AFTER_MS (a switch back would find her sending).
  room.setVisible('viewer', []);
  room.setPinned('teacher', false);
  expect(room.videoCounts).toEqual({ flowing: 1, held: 2 });
  const aliceLayer = () => layers.filter((l) => l.producerId === aliceCam).at(-1)?.maxSpatialLayer;
  expect(aliceLayer()).toBe(2);
  await until('alice told nobody watches', () => aliceLayer() === null);
  await until('only the teacher reaches the viewer', async () => {
    const got = await arriving(1000);
    return [...got.keys()].join() === String(ssrcOf.get('teacher'));
  });

  // The teacher leaves: alice takes the place again without any consume request.
  room.leave('teacher');
  expect(selections.filter((s) => s.peerId === 'viewer').at(-1)?.peerIds).toEqual(['alice']);
  // The teacher's consumer closes when the worker reports its producer gone.
  await until('one consumer held', () => room.videoCounts.held === 1);
  expect(room.videoCounts).toEqual({ flowing: 1, held: 1 });
  await until('alice reaches the viewer again', async () =>
    (await arriving(1000)).has(ssrcOf.get('alice')!),
  );
});

it('counts pipes and a recorder as watchers, and never gates what a recorder takes', async () => {
  const layers: { producerId: string; maxSpatialLayer: number | null }[] = [];
  room.on('videoLayers', (e) => layers.push(e));
  const lastLayer = (id: string) =>
    layers.filter((l) => l.producerId === id).at(-1)?.maxSpatialLayer;
  const teacherCam = await camera('teacher', 1111);
  const aliceCam = await camera('alice', 2222);
  const bobCam = await camera('bob', 3333);
  for (const id of [teacherCam, aliceCam, bobCam]) expect(lastLayer(id)).toBeNull();

  // A breakout receives alice's camera through a pipe: she must keep sending.
  const breakout = await sfu.createRoom('class-1/breakout-1');
  const piped = await room.pipeTo(aliceCam, breakout);
  await until('alice told someone watches', () => lastLayer(aliceCam) === 2);
  expect(lastLayer(bobCam)).toBeNull();
  piped.close();
  await until('alice told nobody watches', () => lastLayer(aliceCam) === null);

  // A recorder takes every camera, beyond last-N = 1, and every publisher is told so.
  const recorder = room.join('recorder:test', { takesAllCameras: true });
  const recv = await recorder.createPlainTransport({ comedia: false, rtcpMux: true });
  await recorder.connectPlainTransport(recv.id, { ip: '127.0.0.1', port: sink.address().port });
  const ssrcs: number[] = [];
  for (const producerId of [teacherCam, aliceCam, bobCam]) {
    const c = await recorder.consume({
      transportId: recv.id,
      producerId,
      rtpCapabilities: room.rtpCapabilities,
    });
    ssrcs.push(c.rtpParameters.encodings![0]!.ssrc!);
    await recorder.resumeConsumer(c.id);
  }
  expect(room.videoCounts).toEqual({ flowing: 0, held: 0 });
  for (const id of [teacherCam, aliceCam, bobCam]) expect(lastLayer(id)).toBe(2);
  await until('every camera reaches the recorder', async () => {
    const got = await arriving(1000);
    return ssrcs.every((s) => got.has(s));
  });
  room.leave('recorder:test');
  await until('nobody watches any camera', () =>
    [teacherCam, aliceCam, bobCam].every((id) => lastLayer(id) === null),
  );
});
