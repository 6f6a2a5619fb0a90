import { spawn, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type ProducerInfo, type Room, type Sfu } from '../index.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const videoSsrc = 11111111;
const videoPayloadType = 101;

let sfu: Sfu;
let registry: Registry;
let room: Room;
const children: ChildProcess[] = [];

beforeEach(async () => {
  registry = new Registry();
  sfu = await start({ logger, registry, numWorkers: 1, listenIp: '127.0.0.1', rtcPort: 0 });
  room = await sfu.createRoom('class-1');
});

afterEach(async () => {
  await Promise.all(children.splice(0).map(stopChild));
  await sfu.close();
});

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A VP8 test pattern as RTP, like the RTMP bridge will send (RTCP to its own port). */
function sendVp8(ip: string, port: number, rtcpPort: number): ChildProcess {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15'],
      ...['-an', '-ssrc', String(videoSsrc), '-payload_type', String(videoPayloadType)],
      ...['-f', 'rtp', `rtp://${ip}:${port}?rtcpport=${rtcpPort}&pkt_size=1200`],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  return child;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('Room', () => {
  it('forwards real RTP from ffmpeg through a plain transport to a WebRTC consumer', async () => {
    room.join('ingest:teacher');
    room.join('student');

    const plain = await room.peer('ingest:teacher').createPlainProducerTransport();
    expect(plain.ip).toBe('127.0.0.1');
    expect(plain.rtcpPort).toBeGreaterThan(0);
    const { id: producerId } = await room.peer('ingest:teacher').produce({
      transportId: plain.id,
      kind: 'video',
      source: 'ingest',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: videoPayloadType, clockRate: 90000 }],
        encodings: [{ ssrc: videoSsrc }],
      },
    });
    // What a joining peer is offered to consume.
    const offered: ProducerInfo[] = room.listProducers('student');
    expect(offered).toEqual([
      { id: producerId, peerId: 'ingest:teacher', kind: 'video', source: 'ingest', paused: false },
    ]);

    const ffmpeg = sendVp8(plain.ip, plain.port, plain.rtcpPort!);
    let ffmpegErrors = '';
    ffmpeg.stderr!.on('data', (chunk: Buffer) => (ffmpegErrors += chunk.toString()));
    const packets = await waitFor('RTP from ffmpeg', async () => {
      if (ffmpeg.exitCode !== null) throw new Error(`ffmpeg exited: ${ffmpegErrors}`);
      const [stat] = await room.peer('ingest:teacher').getProducerStats(producerId);
      return stat && stat.packetCount > 10 ? stat.packetCount : undefined;
    });
    expect(packets).toBeGreaterThan(10);

    const plainStats = await room.peer('ingest:teacher').getTransportStats(plain.id);
    expect(plainStats.bytesReceived).toBeGreaterThan(0);
    expect(plainStats.protocol).toBe('udp');
    expect(plainStats.producers.map((p) => p.id)).toEqual([producerId]);

    const webRtc = await room.peer('student').createWebRtcTransport({ direction: 'recv' });
    expect(webRtc.iceParameters.usernameFragment).toBeTruthy();
    expect(webRtc.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    const candidates = webRtc.iceCandidates.map((c) => `${c.protocol} ${c.address}`).sort();
    expect(candidates).toEqual(['tcp 127.0.0.1', 'udp 127.0.0.1']);

    expect(room.listProducers('student').map((p) => p.id)).toEqual([producerId]);
    const consumer = await room.peer('student').consume({
      transportId: webRtc.id,
      producerId,
      rtpCapabilities: room.rtpCapabilities,
    });
    expect(consumer).toMatchObject({ producerId, peerId: 'ingest:teacher', kind: 'video' });
    expect(consumer.rtpParameters.codecs[0]?.mimeType).toBe('video/VP8');
    await room.peer('student').resumeConsumer(consumer.id);
    await room.peer('student').setPreferredLayers(consumer.id, { spatialLayer: 0 });
    const stats = await room.peer('student').getTransportStats(webRtc.id);
    expect(stats.iceState).toBe('new');
    expect(stats.consumers.map((c) => c.id)).toEqual([consumer.id]);

    const newIce = await room.peer('student').restartIce(webRtc.id);
    expect(newIce.usernameFragment).not.toBe(webRtc.iceParameters.usernameFragment);

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^educloud_sfu_producers\{worker="0"\} 1$/m);
    expect(metrics).toMatch(/^educloud_sfu_consumers\{worker="0"\} 1$/m);
    expect(metrics).toMatch(/^educloud_sfu_transports\{worker="0"\} 2$/m);
    expect(metrics).toMatch(/^educloud_sfu_bitrate_bits\{worker="0",direction="in"\} \d+/m);
    expect(metrics).toMatch(/^educloud_sfu_routers\{worker="0"\} 1$/m);

    // The producing side leaves: its producer closes and the student is told.
    const consumerClosed = new Promise((resolve) => room.once('consumerClosed', resolve));
    room.leave('ingest:teacher');
    expect(await consumerClosed).toEqual({
      peerId: 'student',
      consumerId: consumer.id,
      producerId,
    });
    expect(room.listProducers()).toEqual([]);
    expect(sfu.pool.workers[0]!.counts).toMatchObject({
      producers: 0,
      consumers: 0,
      transports: 1,
    });
  });

  it('cannot consume when the client lacks the codec', async () => {
    room.join('a');
    room.join('b');
    const plain = await room.peer('a').createPlainProducerTransport();
    const { id: producerId } = await room.peer('a').produce({
      transportId: plain.id,
      kind: 'video',
      source: 'ingest',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 1234 }],
      },
    });
    const recv = await room.peer('b').createWebRtcTransport();
    const audioOnly = {
      codecs: room.rtpCapabilities.codecs!.filter((c) => c.kind === 'audio'),
      headerExtensions: [],
    };
    await expect(
      room.peer('b').consume({ transportId: recv.id, producerId, rtpCapabilities: audioOnly }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('checks ownership, sources and kinds', async () => {
    room.join('a');
    room.join('b');
    const t = await room.peer('a').createPlainProducerTransport();
    const opus = {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 4321 }],
    };
    await expect(
      room.peer('a').produce({
        transportId: t.id,
        kind: 'audio',
        source: 'camera',
        rtpParameters: opus,
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      room
        .peer('b')
        .produce({ transportId: t.id, kind: 'audio', source: 'mic', rtpParameters: opus }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await room.peer('a').produce({
      transportId: t.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus,
    });
    await expect(
      room
        .peer('a')
        .produce({ transportId: t.id, kind: 'audio', source: 'mic', rtpParameters: opus }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(() => room.peer('nobody')).toThrow(expect.objectContaining({ code: 'not_found' }));

    // Leaving closes everything the peer had.
    room.leave('a');
    expect(sfu.pool.workers[0]!.counts).toMatchObject({ transports: 0, producers: 0 });
    room.close();
    expect(room.isClosed).toBe(true);
    expect(sfu.getRoom('class-1')).toBeUndefined();
    expect(() => room.join('c')).toThrow(/closed/);
  });
});
