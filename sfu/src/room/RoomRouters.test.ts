/**
 * A room spread over two real mediasoup workers (maxPeersPerRouter = 2). Cameras are ffmpeg
 * synthetic producers (VP8 over plain RTP); microphones are RTP packets sent from here with an
 * audio level header extension (what the speaker observer listens to); viewers receive on plain
 * transports into UDP sockets, so what arrives (per SSRC) proves what flows across the workers.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { start, type Peer, type Room, type Sfu, type WorkerDiedEvent } from '../index.js';
import { countPackets, listSegments } from '../recording/finalize-track.js';
import { RoomRecorder } from '../recording/room-recorder.js';
import { startSyntheticProducer, type SyntheticProducer } from '../recording/synthetic-producer.js';
import { speechLevel, startLevelMicrophone, type LevelMicrophone } from './level-microphone.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let sfu: Sfu;
let registry: Registry;
let room: Room;
const feeds: SyntheticProducer[] = [];
const sockets: Socket[] = [];
const mics: LevelMicrophone[] = [];

beforeEach(async () => {
  registry = new Registry();
  sfu = await start({
    logger,
    registry,
    numWorkers: 2,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    lastN: 1,
    dynacast: true,
    maxPeersPerRouter: 2,
    activeSpeakerIntervalMs: 100,
  });
  room = await sfu.createRoom('class-1');
});

afterEach(async () => {
  for (const m of mics.splice(0)) m.stop();
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
  for (const s of sockets.splice(0)) s.close();
  await sfu.close();
});

/** A UDP socket counting the RTP packets it receives, by SSRC. */
async function sink() {
  const packets = new Map<number, number>();
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.on('message', (msg) => {
    // RTCP has packet types 200-206 in its second byte; RTP carries its SSRC at bytes 8-11.
    if (msg.length < 12 || (msg[1]! >= 200 && msg[1]! <= 206)) return;
    const ssrc = msg.readUInt32BE(8);
    packets.set(ssrc, (packets.get(ssrc) ?? 0) + 1);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  /** SSRCs of the packets that arrive during `ms`. */
  const arriving = async (ms: number): Promise<Set<number>> => {
    const before = new Map(packets);
    await new Promise((r) => setTimeout(r, ms));
    return new Set([...packets].filter(([s, n]) => n > (before.get(s) ?? 0)).map(([s]) => s));
  };
  return { port: socket.address().port, arriving };
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Joins and opens a transport: that places the peer on a router. */
async function place(peerId: string): Promise<Peer> {
  const peer = room.join(peerId);
  await peer.createPlainProducerTransport();
  return peer;
}

async function camera(peer: Peer): Promise<string> {
  const feed = await startSyntheticProducer(room, { peerId: peer.id, kind: 'video' });
  feeds.push(feed);
  return feed.producerId;
}

/** A microphone speaking at about `level` (0 loudest), or silent at 127. */
async function mic(peer: Peer, ssrc: number, level: number): Promise<string> {
  const m = await startLevelMicrophone(peer, ssrc, () => (level >= 127 ? 127 : speechLevel(level)));
  mics.push(m);
  return m.producerId;
}

/** A viewer's receive transport into a fresh sink, and a consume that returns the SSRC. */
async function receiver(peer: Peer) {
  const s = await sink();
  const recv = await peer.createPlainTransport({ comedia: false, rtcpMux: true });
  await peer.connectPlainTransport(recv.id, { ip: '127.0.0.1', port: s.port });
  const consume = async (producerId: string) => {
    const c = await peer.consume({
      transportId: recv.id,
      producerId,
      rtpCapabilities: room.rtpCapabilities,
    });
    await peer.resumeConsumer(c.id);
    return { consumerId: c.id, ssrc: c.rtpParameters.encodings![0]!.ssrc! };
  };
  return { ...s, consume, transportId: recv.id };
}

it('puts peers past the limit on the other worker and forwards media both ways', async () => {
  const layers: { producerId: string; maxSpatialLayer: number | null }[] = [];
  room.on('videoLayers', (e) => layers.push(e));
  const lastLayer = (id: string) =>
    layers.filter((l) => l.producerId === id).at(-1)?.maxSpatialLayer;
  const home = room.workerIndex;
  const teacher = await place('teacher');
  const teacherCam = await camera(teacher);
  const alice = await place('alice');
  const bob = await place('bob');
  expect(room.workerIndexOf('teacher')).toBe(home);
  expect(room.workerIndexOf('alice')).toBe(home);
  const other = room.workerIndexOf('bob');
  expect(other).toBeDefined();
  expect(other).not.toBe(home);
  expect(sfu.pool.workers[other!]!.pid).not.toBe(room.workerPid);
  expect(lastLayer(teacherCam)).toBeNull();

  // Bob, on the other worker, receives the teacher's camera from home.
  const bobView = await receiver(bob);
  const cam = await bobView.consume(teacherCam);
  await until('the teacher reaches bob across workers', async () =>
    (await bobView.arriving(1000)).has(cam.ssrc),
  );
  expect(lastLayer(teacherCam)).toBe(2);

  // And alice, at home, hears bob's microphone from the other worker.
  const bobMic = await mic(bob, 2222, 127);
  const aliceView = await receiver(alice);
  const heard = await aliceView.consume(bobMic);
  await until('bob reaches alice across workers', async () =>
    (await aliceView.arriving(1000)).has(heard.ssrc),
  );

  const metrics = await registry.metrics();
  expect(metrics).toMatch(/^educloud_sfu_class_routers\{class="class-1"\} 2$/m);
  expect(metrics).toMatch(
    new RegExp(`^educloud_sfu_class_worker_peers\\{class="class-1",worker="${other}"\\} 1$`, 'm'),
  );
  expect(metrics).toMatch(
    new RegExp(
      `^educloud_sfu_class_worker_consumers\\{class="class-1",worker="${home}"\\} 1$`,
      'm',
    ),
  );

  // Bob stops receiving but stays: nobody watches the teacher now, although the pipe into
  // bob's router still runs (a pipe between the room's routers is no watcher).
  bob.closeTransport(bobView.transportId);
  await until('teacher told nobody watches', () => lastLayer(teacherCam) === null);
  expect(room.placement.map((p) => p.workerIndex)).toEqual([home, other]);

  // Bob leaves: his emptied router closes.
  room.leave('bob');
  expect(room.placement.map((p) => p.workerIndex)).toEqual([home]);
  // A scrape reads once per tick: let the previous one expire.
  await new Promise((r) => setTimeout(r, 10));
  expect(await registry.metrics()).toMatch(/^educloud_sfu_class_routers\{class="class-1"\} 1$/m);
});

it('lets a speaker on the other worker take the last-N place of a viewer at home', async () => {
  const speakers: string[] = [];
  room.on('activeSpeaker', (e) => speakers.push(e.peerId));
  const viewer = await place('viewer');
  const carol = await place('carol');
  const dave = await place('dave');
  expect(room.workerIndexOf('carol')).toBe(room.workerIndex);
  expect(room.workerIndexOf('dave')).not.toBe(room.workerIndex);
  const carolCam = await camera(carol);
  const daveCam = await camera(dave);
  await mic(carol, 3334, 127);
  const view = await receiver(viewer);
  const fromCarol = await view.consume(carolCam);
  const fromDave = await view.consume(daveCam);
  // Last-N = 1 and nobody spoke yet: the first camera, carol's.
  await until('carol reaches the viewer', async () =>
    (await view.arriving(1000)).has(fromCarol.ssrc),
  );
  expect((await view.arriving(1000)).has(fromDave.ssrc)).toBe(false);

  // Dave speaks on the other worker, carol stays silent at home.
  await mic(dave, 4445, 10);
  await until('dave is the active speaker', () => speakers.at(-1) === 'dave');
  await until('dave, and only dave, reaches the viewer', async () => {
    const got = await view.arriving(1000);
    return got.has(fromDave.ssrc) && !got.has(fromCarol.ssrc);
  });
});

it('loses only the peers of a worker that dies; the others keep their media', async () => {
  const died: WorkerDiedEvent[] = [];
  sfu.pool.on('workerDied', (e) => died.push(e));
  const lost: { peerIds: string[]; workerIndex: number }[] = [];
  room.on('peersLost', (e) => lost.push(e));
  const consumerClosed: string[] = [];
  room.on('consumerClosed', (e) => consumerClosed.push(e.peerId));
  const producerClosed: string[] = [];
  room.on('producerClosed', (e) => producerClosed.push(e.peerId));

  const teacher = await place('teacher');
  const teacherCam = await camera(teacher);
  const alice = await place('alice');
  const bob = await place('bob');
  const other = room.workerIndexOf('bob')!;
  expect(other).not.toBe(room.workerIndex);
  const bobMic = await mic(bob, 6666, 127);
  const aliceView = await receiver(alice);
  const aliceCam = await aliceView.consume(teacherCam);
  const aliceHears = await aliceView.consume(bobMic);
  const bobView = await receiver(bob);
  const bobCam = await bobView.consume(teacherCam);
  await until('everything flows', async () => {
    const [a, b] = await Promise.all([aliceView.arriving(1000), bobView.arriving(1000)]);
    return a.has(aliceCam.ssrc) && a.has(aliceHears.ssrc) && b.has(bobCam.ssrc);
  });

  process.kill(sfu.pool.workers[other]!.pid, 'SIGKILL');
  await until('the pool reports the death', () => died.length === 1);
  expect(died[0]!.index).toBe(other);
  expect(died[0]!.roomIds).toEqual([]);
  expect(died[0]!.spreadRoomIds).toEqual(['class-1']);
  expect(lost).toEqual([{ peerIds: ['bob'], workerIndex: other }]);
  expect(room.isClosed).toBe(false);
  expect(() => room.peer('bob')).toThrow(/not in room/);
  // Bob's microphone is gone for alice; the teacher's camera still reaches her.
  await until('the teacher still reaches alice, bob no more', async () => {
    const got = await aliceView.arriving(1000);
    return got.has(aliceCam.ssrc) && !got.has(aliceHears.ssrc);
  });
  expect(producerClosed).toEqual(['bob']);
  expect(consumerClosed).toEqual(['alice']);
  expect(room.peer('alice').consumerCount).toBe(1);

  // Bob comes back: placed on a live router, he receives the teacher again.
  const back = room.join('bob');
  expect(back).not.toBe(bob);
  const again = await receiver(back);
  const cam = await again.consume(teacherCam);
  await until('the teacher reaches bob again', async () =>
    (await again.arriving(1000)).has(cam.ssrc),
  );
});

it('moves home to another router when the home worker dies: only its peers are lost, the speaker observer and the recorder follow', async () => {
  const died: WorkerDiedEvent[] = [];
  sfu.pool.on('workerDied', (e) => died.push(e));
  const lost: { peerIds: string[]; workerIndex: number }[] = [];
  room.on('peersLost', (e) => lost.push(e));
  const moved: { workerIndex: number }[] = [];
  room.on('homeMoved', (e) => moved.push(e));
  const speakers: string[] = [];
  room.on('activeSpeaker', (e) => speakers.push(e.peerId));
  let closed = false;
  room.on('close', () => (closed = true));

  const home = room.workerIndex;
  await place('teacher');
  await place('alice');
  const bob = await place('bob');
  const carol = await place('carol');
  const other = room.workerIndexOf('bob')!;
  expect(other).not.toBe(home);
  expect(room.workerIndexOf('carol')).toBe(other);
  const bobCam = await camera(bob);
  const carolView = await receiver(carol);
  const fromBob = await carolView.consume(bobCam);
  // Carol speaks on the other worker: her microphone is piped into the observer at home.
  await mic(carol, 8888, 10);
  await until('carol is the active speaker', () => speakers.at(-1) === 'carol');
  const dir = await mkdtemp(join(tmpdir(), 'home-moves-'));
  const recorder = RoomRecorder.start({
    room,
    dir,
    ffmpegPath: 'ffmpeg',
    logger,
    segmentSeconds: 1,
  });
  await recorder.settled();
  const bobTrack = () => recorder.activeTracks.find((t) => t.producerId === bobCam);
  const firstTrack = bobTrack()!.trackId;
  await until('everything flows', async () => (await carolView.arriving(1000)).has(fromBob.ssrc));

  const spokenBefore = speakers.length;
  process.kill(sfu.pool.workers[home]!.pid, 'SIGKILL');
  await until('home moves', () => moved.length === 1);
  expect(moved).toEqual([{ workerIndex: home }]);
  expect(closed).toBe(false);
  expect(room.workerIndex).toBe(other);
  await until('the pool reports the death', () => died.length === 1);
  expect(died[0]!.roomIds).toEqual(['class-1']);
  // Lost: who was placed at home (the teacher, alice, the recorder), nobody else.
  expect(lost).toHaveLength(1);
  expect(lost[0]!.workerIndex).toBe(home);
  expect(lost[0]!.peerIds.sort()).toEqual(['alice', recorder.peerId, 'teacher'].sort());
  expect(room.peer('bob')).toBe(bob);
  // Carol still receives bob's camera on the same consumer.
  await until('bob still reaches carol', async () =>
    (await carolView.arriving(1000)).has(fromBob.ssrc),
  );
  // The new home has a speaker observer with carol's microphone in it again.
  await until('carol is named again on the new home', () =>
    speakers.slice(spokenBefore).includes('carol'),
  );
  // The recorder records bob's camera again, in a new track on the new home.
  await until('the recorder records bob again', () => {
    const t = bobTrack();
    return t !== undefined && t.trackId !== firstTrack;
  });
  await until('the new track writes segments', async () => {
    const t = bobTrack()!;
    return (await listSegments(join(dir, t.segmentsDir))).length >= 2;
  });
  const tracks = await recorder.stop();
  const bobs = tracks.filter((t) => t.producerId === bobCam);
  expect(bobs.map((t) => t.trackId)).toContain(firstTrack);
  expect(bobs.length).toBe(2);
  const second = bobs.find((t) => t.trackId !== firstTrack)!;
  expect(
    await countPackets('ffprobe', join(dir, `${second.trackId}.${second.finalExt}`)),
  ).toBeGreaterThan(0);
  await rm(dir, { recursive: true, force: true });

  // The teacher comes back, on a live router, and receives bob again.
  const back = room.join('teacher');
  const again = await receiver(back);
  const cam = await again.consume(bobCam);
  await until('bob reaches the teacher again', async () =>
    (await again.arriving(1000)).has(cam.ssrc),
  );
});

it('sends a producer of the other worker to another node through the home router', async () => {
  const { NodePipe } = await import('../nodes/node-pipe.js');
  const node2 = await start({
    logger,
    registry: new Registry(),
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
  });
  try {
    const remote = await node2.createRoom('class-1');
    await place('teacher');
    await place('alice');
    const bob = await place('bob');
    expect(room.workerIndexOf('bob')).not.toBe(room.workerIndex);
    // A camera: nobody at home consumes it (a microphone would be piped home for the speaker).
    const bobCam = await camera(bob);
    const options = {
      listenIp: '127.0.0.1',
      announcedAddress: undefined,
      portRange: { min: 40000, max: 49999 },
    };
    const here = await NodePipe.open(room, options);
    const there = await NodePipe.open(remote, options);
    await here.connect(there.endpoint);
    await there.connect(here.endpoint);
    const info = room.listProducers().find((p) => p.id === bobCam)!;
    const { params } = await here.exportProducer(info);
    await there.importProducer(params);
    const listener = remote.join('listener');
    const s = await sink();
    const recv = await listener.createPlainTransport({ comedia: false, rtcpMux: true });
    await listener.connectPlainTransport(recv.id, { ip: '127.0.0.1', port: s.port });
    const c = await listener.consume({
      transportId: recv.id,
      producerId: bobCam,
      rtpCapabilities: remote.rtpCapabilities,
    });
    await listener.resumeConsumer(c.id);
    const ssrc = c.rtpParameters.encodings![0]!.ssrc!;
    await until('bob reaches the other node', async () => (await s.arriving(1000)).has(ssrc));
  } finally {
    await node2.close();
  }
});

it('pipes a producer of the other worker into a breakout', async () => {
  await place('teacher');
  await place('alice');
  const bob = await place('bob');
  expect(room.workerIndexOf('bob')).not.toBe(room.workerIndex);
  const bobCam = await camera(bob);
  const breakout = await sfu.classRooms('class-1').openBreakout('breakout-1');
  const piped = await room.pipeTo(bobCam, breakout);
  const listener = breakout.join('listener');
  const s = await sink();
  const recv = await listener.createPlainTransport({ comedia: false, rtcpMux: true });
  await listener.connectPlainTransport(recv.id, { ip: '127.0.0.1', port: s.port });
  const c = await listener.consume({
    transportId: recv.id,
    producerId: piped.copyId,
    rtpCapabilities: breakout.rtpCapabilities,
  });
  await listener.resumeConsumer(c.id);
  const ssrc = c.rtpParameters.encodings![0]!.ssrc!;
  await until('bob reaches the breakout', async () => (await s.arriving(1000)).has(ssrc));
});
