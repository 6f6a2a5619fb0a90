import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type Sfu } from './index.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const ssrc = 22222222;
const payloadType = 101;
let sfu: Sfu;
const routers = new Set<types.Router>();
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

beforeEach(async () => {
  sfu = await start({
    logger,
    registry: new Registry(),
    numWorkers: 2,
    listenIp: '127.0.0.1',
    rtcPort: 0,
  });
  routers.clear();
  for (const { worker } of sfu.pool.workers) {
    worker.observer.on('newrouter', (router) => routers.add(router));
  }
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const socket of sockets.splice(0)) socket.close();
  await sfu.close();
});

/** Routers and transports the worker processes really hold, from mediasoup's own dumps. */
async function workerHoldings() {
  let routerCount = 0;
  const transportsByRouter = new Map<string, number>();
  for (const { worker } of sfu.pool.workers) {
    const dump = await worker.dump();
    routerCount += dump.routerIds.length;
    for (const router of routers) {
      if (router.closed || !dump.routerIds.includes(router.id)) continue;
      transportsByRouter.set(router.id, (await router.dump()).transportIds.length);
    }
  }
  return { routers: routerCount, transportsByRouter };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function sendVp8(ip: string, port: number, rtcpPort: number): void {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=15'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '100k', '-g', '15'],
      ...['-an', '-ssrc', String(ssrc), '-payload_type', String(payloadType)],
      ...['-f', 'rtp', `rtp://${ip}:${port}?rtcpport=${rtcpPort}&pkt_size=1200`],
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
}

/** A UDP socket counting the RTP packets it receives. */
async function rtpSink(): Promise<{ port: number; packets: () => number }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  let packets = 0;
  socket.on('message', () => packets++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, packets: () => packets };
}

describe('ClassRooms', () => {
  it('spreads breakouts over the workers, pipes the teacher into them, and closes them all', async () => {
    const rooms = sfu.classRooms('class-1');
    const main = await rooms.openMain();
    const breakouts = await Promise.all(['b1', 'b2', 'b3'].map((id) => rooms.openBreakout(id)));
    expect(new Set([main, ...breakouts].map((r) => r.workerIndex)).size).toBe(2);
    await expect(rooms.openBreakout('b1')).rejects.toMatchObject({ code: 'conflict' });
    expect(sfu.getRoom('b2')).toBe(breakouts[1]);
    expect((await workerHoldings()).routers).toBe(4);

    const teacher = main.join('teacher');
    const input = await teacher.createPlainProducerTransport();
    const { id: producerId } = await teacher.produce({
      transportId: input.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
        encodings: [{ ssrc }],
      },
    });
    sendVp8(input.ip, input.port, input.rtcpPort!);

    const pipes = await rooms.pipeToBreakouts(producerId);
    expect(pipes.map((p) => p.roomId)).toEqual(['b1', 'b2', 'b3']);
    for (const [i, room] of breakouts.entries()) {
      expect(room.listProducers()).toEqual([
        { id: pipes[i]!.copyId, peerId: 'teacher', kind: 'video', source: 'camera', paused: false },
      ]);
    }
    const copyId = pipes[0]!.copyId;

    // A student in a breakout receives the teacher's RTP through the pipe.
    const [b1] = breakouts as [(typeof breakouts)[number]];
    const student = b1.join('student');
    const sink = await rtpSink();
    const out = await student.createPlainTransport({ comedia: false, rtcpMux: true });
    await student.connectPlainTransport(out.id, { ip: '127.0.0.1', port: sink.port });
    const consumer = await student.consume({
      transportId: out.id,
      producerId: copyId,
      rtpCapabilities: b1.rtpCapabilities,
    });
    await student.resumeConsumer(consumer.id);
    await waitFor('piped RTP at the student', async () => (sink.packets() > 10 ? true : undefined));

    // Stopping removes the copies everywhere; the student's consumer is told.
    const closedInB1 = new Promise((resolve) => b1.once('producerClosed', resolve));
    const consumerClosed = new Promise((resolve) => b1.once('consumerClosed', resolve));
    rooms.unpipe(producerId);
    expect(await closedInB1).toEqual({ peerId: 'teacher', producerId: copyId, source: 'camera' });
    expect(await consumerClosed).toMatchObject({ peerId: 'student', consumerId: consumer.id });
    for (const room of breakouts) expect(room.listProducers()).toEqual([]);
    expect(main.listProducers().map((p) => p.id)).toEqual([producerId]);

    // Piped again, then every breakout closes: the workers hold the main room alone, with only
    // the teacher's own transport (the pipe transports went with the breakout routers).
    await rooms.pipeToBreakouts(producerId);
    rooms.closeBreakouts();
    expect(rooms.breakouts.size).toBe(0);
    for (const room of breakouts) expect(room.isClosed).toBe(true);
    const after = await workerHoldings();
    expect(after.routers).toBe(1);
    expect([...after.transportsByRouter.values()]).toEqual([1]);
    expect(main.isClosed).toBe(false);
    expect(sfu.pool.workers.reduce((n, w) => n + w.counts.routers, 0)).toBe(1);
    expect(sfu.pool.workers.reduce((n, w) => n + w.counts.producers, 0)).toBe(1);
  });

  it('refuses to pipe a producer the main room does not have', async () => {
    const rooms = sfu.classRooms('class-2');
    await rooms.openMain();
    await rooms.openBreakout('b');
    await expect(rooms.pipeToBreakouts('nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
