#!/usr/bin/env node
// Forwarding capacity of one mediasoup worker: one ~1 Mbit/s VP8 producer (a pre-encoded file
// sent by `ffmpeg -re -c copy` into a PlainTransport) and N PlainTransport consumers sending
// plain RTP to a local UDP sink. Runs our sfu library and a bare mediasoup script alternately in
// the same run and prints medians of the worker's CPU, the consumers one core would carry, sink
// loss, and the library/bare ratio. A measurement, not a test: it never fails on numbers.
//
//   npx tsc -b sfu && node bench/sfu-forwarding.bench.mjs [consumers=200] [rounds=3] [seconds=8]
//
// Needs the worker built by scripts/build-mediasoup-worker.sh and Debian's ffmpeg.
import { fork, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const selfPath = fileURLToPath(import.meta.url);

// The sink runs in its own process so its CPU does not land in the worker's figure or ours.
if (process.argv[2] === '--sink') {
  const socket = dgram.createSocket('udp4');
  let packets = 0;
  socket.on('message', () => packets++);
  socket.bind(0, '127.0.0.1', () => {
    socket.setRecvBufferSize(8 * 1024 * 1024);
    process.send({ port: socket.address().port });
  });
  process.on('message', (msg) => {
    if (msg === 'count') process.send({ packets });
    if (msg === 'stop') socket.close(() => process.exit(0));
  });
} else {
  await main();
}

async function main() {
  const consumers = Number(process.argv[2] ?? 200);
  const rounds = Number(process.argv[3] ?? 3);
  const seconds = Number(process.argv[4] ?? 8);
  const warmupMs = 3000;

  const repoRoot = path.resolve(path.dirname(selfPath), '..');
  if (!existsSync(path.join(repoRoot, 'sfu/dist/index.js'))) {
    console.error('sfu is not compiled: run `npx tsc -b sfu` first');
    process.exit(1);
  }
  const mediasoup = await import('mediasoup');
  const { start, mediaCodecs } = await import('@educloud/sfu');
  const { pino } = await import('pino');
  const { Registry } = await import('prom-client');

  const clip = encodeClip();
  console.log(
    `one worker, 1 VP8 producer (~1 Mbit/s), ${consumers} plain consumers, ${rounds} rounds x ` +
      `${seconds}s per setup; ${os.availableParallelism()} cores`,
  );

  // Sinks only get the codec: consumers built with the router's full capabilities (transport-cc,
  // NACK...) towards a sink that never answers make the worker grow state without bound.
  const sinkCaps = (routerCaps) => ({
    codecs: routerCaps.codecs
      .filter((c) => c.mimeType === 'video/VP8')
      .map((c) => ({ ...c, rtcpFeedback: [] })),
    headerExtensions: [],
  });
  const producerParams = {
    codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
    encodings: [{ ssrc: 22222222 }],
  };

  const setups = {
    async library(sinkPort) {
      const sfu = await start({
        logger: pino({ level: 'silent' }),
        registry: new Registry(),
        numWorkers: 1,
        listenIp: '127.0.0.1',
        rtcPort: 0,
        enableTcp: false,
      });
      const room = await sfu.createRoom('bench');
      const ingest = room.join('ingest');
      const plain = await ingest.createPlainProducerTransport();
      const { id: producerId } = await ingest.produce({
        transportId: plain.id,
        kind: 'video',
        source: 'ingest',
        rtpParameters: producerParams,
      });
      const caps = sinkCaps(room.rtpCapabilities);
      for (let i = 0; i < consumers; i++) {
        const peerId = `sink-${i}`;
        const sink = room.join(peerId);
        const t = await sink.createPlainTransport({ comedia: false, rtcpMux: true });
        await sink.connectPlainTransport(t.id, { ip: '127.0.0.1', port: sinkPort });
        const c = await sink.consume({
          transportId: t.id,
          producerId,
          rtpCapabilities: caps,
        });
        await sink.resumeConsumer(c.id);
      }
      return {
        worker: sfu.pool.workers[0].worker,
        target: plain,
        producerPackets: async () =>
          (await ingest.getProducerStats(producerId))[0]?.packetCount ?? 0,
        close: () => sfu.close(),
      };
    },
    async bare(sinkPort) {
      const worker = await mediasoup.createWorker({
        logLevel: 'error',
        rtcMinPort: 45000,
        rtcMaxPort: 49999,
        disableLiburing: true,
      });
      const router = await worker.createRouter({ mediaCodecs });
      const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
      const plain = await router.createPlainTransport({
        listenInfo,
        rtcpMux: false,
        comedia: true,
      });
      const producer = await plain.produce({ kind: 'video', rtpParameters: producerParams });
      const caps = sinkCaps(router.rtpCapabilities);
      for (let i = 0; i < consumers; i++) {
        const t = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
        await t.connect({ ip: '127.0.0.1', port: sinkPort });
        await t.consume({ producerId: producer.id, rtpCapabilities: caps });
      }
      return {
        worker,
        target: {
          ip: '127.0.0.1',
          port: plain.tuple.localPort,
          rtcpPort: plain.rtcpTuple.localPort,
        },
        producerPackets: async () => (await producer.getStats())[0]?.packetCount ?? 0,
        close: async () => {
          const exited = new Promise((resolve) => worker.once('subprocessclose', resolve));
          worker.close();
          await exited;
        },
      };
    },
  };

  const results = { library: [], bare: [] };
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order so drift on this noisy machine does not favour one side.
    const order = round % 2 ? ['library', 'bare'] : ['bare', 'library'];
    for (const name of order) {
      const r = await measure(setups[name], clip, consumers, seconds, warmupMs);
      results[name].push(r);
      console.log(
        `round ${round} ${name.padEnd(7)} worker CPU ${(r.cpu * 100).toFixed(1)}% of a core, ` +
          `${r.sent} pkt/s in, sink loss ${(r.loss * 100).toFixed(2)}%, ` +
          `RSS ${(r.rssKiB / 1024).toFixed(1)} MiB`,
      );
    }
  }

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  console.log('\nmedians');
  const summary = {};
  for (const name of ['library', 'bare']) {
    const cpu = median(results[name].map((r) => r.cpu));
    const loss = median(results[name].map((r) => r.loss));
    summary[name] = cpu;
    console.log(
      `  ${name.padEnd(7)} ${(cpu * 100).toFixed(1)}% of a core for ${consumers} consumers ` +
        `-> ~${Math.round(consumers / cpu)} consumers per core (linear), sink loss ` +
        `${(loss * 100).toFixed(2)}%`,
    );
  }
  console.log(`  ratio library/bare worker CPU: ${(summary.library / summary.bare).toFixed(2)}`);
}

async function measure(setup, clip, consumers, seconds, warmupMs) {
  const sink = fork(selfPath, ['--sink'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (msg) =>
    new Promise((resolve) => {
      sink.once('message', resolve);
      if (msg) sink.send(msg);
    });
  const { port: sinkPort } = await ask();
  const handle = await setup(sinkPort);
  const { target } = handle;
  const ffmpeg = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1'],
      ...['-i', clip, '-an', '-c:v', 'copy', '-ssrc', '22222222', '-payload_type', '101'],
      ...[
        '-f',
        'rtp',
        `rtp://${target.ip}:${target.port}?rtcpport=${target.rtcpPort}&pkt_size=1200`,
      ],
    ],
    { stdio: 'ignore' },
  );
  try {
    await sleep(warmupMs);
    const u0 = await handle.worker.getResourceUsage();
    const p0 = await handle.producerPackets();
    const s0 = (await ask('count')).packets;
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const u1 = await handle.worker.getResourceUsage();
    const p1 = await handle.producerPackets();
    const s1 = (await ask('count')).packets;
    const elapsedMs = performance.now() - t0;
    const cpuMs = u1.ru_utime + u1.ru_stime - (u0.ru_utime + u0.ru_stime);
    // Every packet the producer received should reach the sink once per consumer.
    const expected = (p1 - p0) * consumers;
    return {
      cpu: cpuMs / elapsedMs,
      sent: Math.round((p1 - p0) / (elapsedMs / 1000)),
      loss: expected > 0 ? Math.max(0, 1 - (s1 - s0) / expected) : 1,
      rssKiB: u1.ru_maxrss,
    };
  } finally {
    ffmpeg.kill('SIGKILL');
    await handle.close();
    sink.send('stop');
    await new Promise((resolve) => sink.once('exit', resolve));
  }
}

function encodeClip() {
  const dir = path.join(os.tmpdir(), 'educloud-bench');
  const file = path.join(dir, 'vp8-1mbit-720p30.webm');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  console.log('encoding a 20 s 1 Mbit/s VP8 clip once (cached in the temp dir)...');
  const r = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
      ...['-i', 'testsrc2=size=1280x720:rate=30', '-t', '20', '-c:v', 'libvpx'],
      ...['-b:v', '1M', '-minrate', '1M', '-maxrate', '1M', '-deadline', 'realtime'],
      ...['-cpu-used', '8', '-g', '60', file],
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('ffmpeg could not encode the clip');
  return file;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
