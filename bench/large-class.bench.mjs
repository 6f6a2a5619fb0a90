#!/usr/bin/env node
// A large class on one mediasoup worker, with last-N and dynacast on (the defaults, N=9) and
// off, in the same run: 1 teacher sending simulcast VP8 (3 layers) + Opus, 10 students sending
// simulcast VP8, and 200 students receiving. Runs our sfu library in this process (the Room,
// Peer and VideoSelection code the server runs); the simulated clients are Node code:
// - publishers replay a pre-encoded VP8 clip per layer (160x90, 320x180, 640x360, key frame
//   every second, 15 fps) as RTP into PlainTransports, answer PLI/FIR with the next key frame
//   (as an encoder would), and obey dynacast (`videoLayers`: send only the layers someone
//   watches, nothing when nobody does);
// - every student receives on a PlainTransport (plain RTP consumers, not WebRTC: Node has no
//   DTLS) into its own UDP socket, consumes every producer, resumes, and asks for the small
//   layer of students' cameras and the top layer of the teacher's.
// Prints the worker's CPU (one core each), this process's CPU (sfu library + simulated
// clients), consumer counts, bitrates, and p50/p95 join -> first RTP packet (audio and video),
// then on/off ratios. A measurement, never a test: no figure makes it fail.
//
//   npx tsc -b sfu && node bench/large-class.bench.mjs   (STUDENTS=200 SECONDS=8 ROUNDS=2)
//
// COMPARE=spread compares, on two workers with last-N and dynacast on, the class on one router
// against the class spread over both workers (maxPeersPerRouter half the class: the second
// half of the students land on the other worker and the media is piped to it).
import { execFileSync, fork } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { quantile, root } from './support.mjs';

// The students' sockets live in a child process: receiving the class's RTP costs CPU that must
// not land in this process's figure (the sfu library) nor slow its joins down.
if (process.argv[2] === '--sinks') {
  runSinks();
} else {
  await bench();
}

function runSinks() {
  const sinks = [];
  let pts = { audio: -1, video: -1 };
  process.on('message', async (msg) => {
    if (msg.open) {
      for (let i = 0; i < msg.open; i++) {
        const s = { bytes: 0, first: {} };
        s.socket = dgram.createSocket('udp4');
        s.socket.on('message', (m) => {
          if (m.length < 12 || (m[1] >= 200 && m[1] <= 206)) return;
          s.bytes += m.length;
          const pt = m[1] & 0x7f;
          const kind = pt === pts.audio ? 'audio' : pt === pts.video ? 'video' : undefined;
          if (kind) s.first[kind] ??= performance.timeOrigin + performance.now();
        });
        await new Promise((r) => s.socket.bind(0, '127.0.0.1', r));
        sinks.push(s);
      }
      process.send({ ports: sinks.map((s) => s.socket.address().port) });
    }
    if (msg.pts) pts = msg.pts;
    if (msg.report) {
      process.send({ report: sinks.map((s) => ({ bytes: s.bytes, first: s.first })) });
    }
    if (msg.stop) {
      for (const s of sinks) s.socket.close();
      process.exit(0);
    }
  });
}

async function bench() {
  const STUDENTS = Number(process.env.STUDENTS ?? 200);
  const VIDEO_STUDENTS = Number(process.env.VIDEO_STUDENTS ?? 10);
  const SECONDS = Number(process.env.SECONDS ?? 8);
  const JOIN_CONCURRENCY = 10;
  const ROUNDS = Number(process.env.ROUNDS ?? 2);
  const FPS = 15;
  const VP8_PT = 101;
  const OPUS_PT = 100;

  if (!existsSync(path.join(root, 'sfu/dist/index.js'))) {
    console.error('sfu is not compiled: run `npx tsc -b sfu` first');
    process.exit(1);
  }
  const { start } = await import('@educloud/sfu');
  const { pino } = await import('pino');
  const { Registry } = await import('prom-client');

  const layers = encodeLayers();

  async function main() {
    // COMPARE=spread: the class on one router of two workers, against spread over both
    // (maxPeersPerRouter half the class), last-N and dynacast on in both.
    const spread = process.env.COMPARE === 'spread';
    const setups = spread
      ? {
          on: { numWorkers: 2, maxPeersPerRouter: Math.ceil((STUDENTS + 1) / 2) },
          off: { numWorkers: 2, maxPeersPerRouter: 0 },
        }
      : {
          on: { lastN: 9, dynacast: true },
          off: { lastN: 'off', dynacast: false },
        };
    const what = spread ? 'spread over 2 workers / one router' : 'last-N + dynacast on / off';
    // Alternated, ROUNDS times each: this machine's load drifts; figures are medians per setup.
    const runs = { on: [], off: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
        const r = await runClass(setups[name]);
        print(`${name} #${round + 1}`, setups[name], r);
        runs[name].push(r);
      }
    }
    const med = (list, pick) => {
      const v = list.map(pick).sort((a, b) => a - b);
      return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    const ratio = (pick) => {
      const a = med(runs.on, pick);
      const b = med(runs.off, pick);
      return `${Number(a.toFixed(1))} / ${Number(b.toFixed(1))} = ${b > 0 ? (a / b).toFixed(2) : 'n/a'}`;
    };
    console.log(`\nmedians, ${what} = ratio (lower is better), ${ROUNDS} rounds:`);
    console.log(`  worker CPU %            ${ratio((r) => r.workerCpu)}`);
    console.log(`  busiest worker CPU %    ${ratio((r) => Math.max(...r.perWorker.map(Number)))}`);
    console.log(`  node CPU % (steady)     ${ratio((r) => Number(r.nodeCpu))}`);
    console.log(`  node CPU % (joins)      ${ratio((r) => Number(r.joinCpu))}`);
    console.log(`  SFU egress kbit/s       ${ratio((r) => r.egressKbps)}`);
    console.log(`  publishers kbit/s       ${ratio((r) => r.publishKbps)}`);
    console.log(`  video consumers flowing ${ratio((r) => r.flowing)}`);
    console.log(`  join->first audio p50   ${ratio((r) => r.firstAudio.p50)}`);
    console.log(`  join->first video p50   ${ratio((r) => r.firstVideo.p50)}`);
    console.log(`  join->first video p95   ${ratio((r) => r.firstVideo.p95)}`);
  }

  function print(name, opts, r) {
    console.log(
      `\n[${name}] ${JSON.stringify(opts)}: 1 teacher + ${VIDEO_STUDENTS} ` +
        `video students publishing, ${STUDENTS} students receiving, ${SECONDS}s steady state`,
    );
    console.log(`  worker CPU per core:  ${r.perWorker.map((c, i) => `w${i} ${c}%`).join(', ')}`);
    console.log(
      `  node CPU (sfu library + simulated clients): steady ${r.nodeCpu}%, joins ${r.joinCpu}%`,
    );
    console.log(
      `  consumers: ${r.consumers} (video flowing ${r.flowing}, held by last-N ${r.held}; ` +
        `audio ${r.consumers - r.flowing - r.held})`,
    );
    console.log(`  SFU egress ${r.egressKbps} kbit/s, publishers upload ${r.publishKbps} kbit/s`);
    console.log(
      `  join -> first packet ms: audio p50 ${r.firstAudio.p50} p95 ${r.firstAudio.p95}; ` +
        `video p50 ${r.firstVideo.p50} p95 ${r.firstVideo.p95} (${r.firstVideo.n} of ${STUDENTS} got video)`,
    );
    console.log(`  all ${STUDENTS} joined in ${r.joinWallMs} ms (${JOIN_CONCURRENCY} at a time)`);
    if (r.placement) console.log(`  peers per worker: ${r.placement}`);
  }

  async function runClass(opts) {
    const sfu = await start({
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      numWorkers: 1,
      listenIp: '127.0.0.1',
      rtcPort: 0,
      ...opts,
    });
    const room = await sfu.createRoom('large-class');
    // One videoLayers listener per simulated publisher.
    room.setMaxListeners(VIDEO_STUDENTS + 5);
    room.setPinned('teacher', true);
    const publishers = [new Publisher(room, 'teacher', true)];
    for (let i = 0; i < VIDEO_STUDENTS; i++)
      publishers.push(new Publisher(room, `cam-${i}`, false));
    for (const p of publishers) await p.start();
    const ticker = setInterval(() => publishers.forEach((p) => p.tick()), 1000 / FPS);
    const audioTicker = setInterval(() => publishers[0].sendAudio(), 20);

    const sinks = fork(fileURLToPath(import.meta.url), ['--sinks']);
    const ask = (msg, key) =>
      new Promise((resolve) => {
        const on = (m) => {
          if (m[key] === undefined) return;
          sinks.off('message', on);
          resolve(m[key]);
        };
        sinks.on('message', on);
        sinks.send(msg);
      });
    const ports = await ask({ open: STUDENTS }, 'ports');
    const pts = {};
    const onPts = (kind, pt) => {
      if (pts[kind] === pt) return;
      pts[kind] = pt;
      sinks.send({ pts });
    };
    // Students join, JOIN_CONCURRENCY at a time; the ones with a camera receive too.
    const viewers = [];
    const ids = [
      ...publishers.slice(1).map((p) => p.peerId),
      ...Array.from({ length: STUDENTS - VIDEO_STUDENTS }, (_, i) => `student-${i}`),
    ];
    const joinCpu = cpuMeter(sfu);
    const joinStarted = performance.now();
    for (let i = 0; i < ids.length; i += JOIN_CONCURRENCY) {
      const wave = ids
        .slice(i, i + JOIN_CONCURRENCY)
        .map((id, j) => new Viewer(room, id, ports[i + j], onPts));
      await Promise.all(wave.map((v) => v.join()));
      if (process.env.VERBOSE) console.error(`joined ${i + wave.length}`);
      viewers.push(...wave);
    }
    const joinWallMs = Math.round(performance.now() - joinStarted);
    const joinUse = joinCpu();
    // Let first packets arrive, then measure a steady state.
    await sleep(3000);
    const meter = cpuMeter(sfu);
    const bytesIn = async () =>
      (await ask({ report: true }, 'report')).reduce((n, r) => n + r.bytes, 0);
    const rx0 = await bytesIn();
    const tx0 = publishers.reduce((n, p) => n + p.bytes, 0);
    await sleep(SECONDS * 1000);
    const use = meter();
    const rx = (await bytesIn()) - rx0;
    const report = await ask({ report: true }, 'report');
    const firstMs = (kind) =>
      viewers.map((v, i) =>
        report[i].first[kind] === undefined ? undefined : report[i].first[kind] - v.startedAt,
      );
    const tx = publishers.reduce((n, p) => n + p.bytes, 0) - tx0;
    const counts = room.videoCounts;
    const placement = room.placement.map((p) => `w${p.workerIndex} ${p.peerIds.length}`).join(', ');
    const consumers = viewers.reduce((n, v) => n + v.consumers, 0);
    clearInterval(ticker);
    clearInterval(audioTicker);
    const stats = (list) => {
      const sorted = list.filter((x) => x !== undefined).sort((a, b) => a - b);
      return {
        n: sorted.length,
        p50: Math.round(quantile(sorted, 0.5) ?? NaN),
        p95: Math.round(quantile(sorted, 0.95) ?? NaN),
      };
    };
    const result = {
      perWorker: use.workers,
      workerCpu: use.workers.reduce((a, b) => a + Number(b), 0),
      nodeCpu: use.node,
      joinCpu: joinUse.node,
      consumers,
      flowing: counts.flowing,
      held: counts.held,
      egressKbps: Math.round((rx * 8) / SECONDS / 1000),
      publishKbps: Math.round((tx * 8) / SECONDS / 1000),
      firstAudio: stats(firstMs('audio')),
      firstVideo: stats(firstMs('video')),
      joinWallMs,
      placement,
    };
    sinks.send({ stop: true });
    for (const p of publishers) p.close();
    await sfu.close();
    return result;
  }

  /** CPU % (of one core) used since the call by each worker process and by this process. */
  function cpuMeter(sfu) {
    const ticks = (pid) => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const hz = 100;
    const pids = sfu.pool.workers.map((w) => w.pid);
    const t0 = performance.now();
    const w0 = pids.map(ticks);
    const n0 = process.cpuUsage();
    return () => {
      const secs = (performance.now() - t0) / 1000;
      const n = process.cpuUsage(n0);
      return {
        workers: pids.map((pid, i) => (((ticks(pid) - w0[i]) / hz / secs) * 100).toFixed(1)),
        node: (((n.user + n.system) / 1e6 / secs) * 100).toFixed(1),
      };
    };
  }

  /** A simulated camera (and, for the teacher, microphone): replays pre-encoded VP8 layers. */
  class Publisher {
    constructor(room, peerId, withAudio) {
      Object.assign(this, { room, peerId, withAudio });
      this.bytes = 0;
      this.frame = 0;
      this.seq = [0, 0, 0, 0];
      this.pictureId = 0;
      this.base = 1000 + Math.floor(Math.random() * 1e6) * 8;
      /** Highest layer anyone watches (dynacast); all of them until told. */
      this.maxLayer = 2;
      this.keyFrameWanted = false;
    }

    async start() {
      const peer = this.room.join(this.peerId);
      const t = await peer.createPlainProducerTransport({ rtcpMux: true });
      this.socket = dgram.createSocket('udp4');
      await new Promise((r) => this.socket.bind(0, '127.0.0.1', r));
      this.target = { ip: t.ip, port: t.port };
      // PLI / FIR from the SFU: the next frame sent is a key frame, as an encoder would do.
      this.socket.on('message', (m) => {
        // Compound RTCP: walk every packet (a receiver report usually comes first).
        for (let off = 0; off + 4 <= m.length; off += (m.readUInt16BE(off + 2) + 1) * 4) {
          const type = m[off + 1];
          const fmt = m[off] & 0x1f;
          if (type === 206 && (fmt === 1 || fmt === 4)) this.keyFrameWanted = true;
        }
      });
      const { id } = await peer.produce({
        transportId: t.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: {
          codecs: [
            {
              mimeType: 'video/VP8',
              payloadType: VP8_PT,
              clockRate: 90000,
              rtcpFeedback: [
                { type: 'nack', parameter: 'pli' },
                { type: 'ccm', parameter: 'fir' },
              ],
            },
          ],
          encodings: [0, 1, 2].map((l) => ({ ssrc: this.base + l })),
        },
      });
      this.producerId = id;
      this.room.on('videoLayers', (e) => {
        if (e.producerId === id) this.maxLayer = e.maxSpatialLayer;
      });
      if (this.withAudio) {
        await peer.produce({
          transportId: t.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: {
            codecs: [
              { mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 },
            ],
            encodings: [{ ssrc: this.base + 3 }],
          },
        });
      }
    }

    tick() {
      if (this.maxLayer === null || !this.socket) return;
      let i = this.frame % layers[0].length;
      if (this.keyFrameWanted) {
        // Jump to the clip's next key frame (all layers share the GOP).
        while (!layers[0][i].key) i = (i + 1) % layers[0].length;
        this.frame += (i - (this.frame % layers[0].length) + layers[0].length) % layers[0].length;
        this.keyFrameWanted = false;
      }
      const ts = (this.frame * (90000 / FPS)) >>> 0;
      this.pictureId = (this.pictureId + 1) & 0x7fff;
      for (let l = 0; l <= this.maxLayer; l++) this.sendFrame(l, layers[l][i].data, ts);
      // Sender reports: the SFU only switches a consumer between simulcast streams it can
      // align in time.
      if (this.frame % 8 === 0) {
        for (let l = 0; l <= this.maxLayer; l++) this.sendReport(this.base + l, ts);
      }
      this.frame++;
    }

    sendReport(ssrc, ts) {
      const now = Date.now();
      const sr = Buffer.alloc(28);
      sr[0] = 0x80;
      sr[1] = 200;
      sr.writeUInt16BE(6, 2);
      sr.writeUInt32BE(ssrc, 4);
      sr.writeUInt32BE(Math.floor(now / 1000) + 2208988800, 8);
      sr.writeUInt32BE(Math.floor(((now % 1000) / 1000) * 2 ** 32) >>> 0, 12);
      sr.writeUInt32BE(ts, 16);
      this.send(sr);
    }

    sendFrame(layer, data, ts) {
      const chunk = 1100;
      for (let off = 0; off < data.length; off += chunk) {
        const part = data.subarray(off, off + chunk);
        const last = off + chunk >= data.length;
        const header = Buffer.alloc(16);
        header[0] = 0x80;
        header[1] = (last ? 0x80 : 0) | VP8_PT;
        header.writeUInt16BE(this.seq[layer]++ & 0xffff, 2);
        header.writeUInt32BE(ts, 4);
        header.writeUInt32BE(this.base + layer, 8);
        // VP8 payload descriptor: X, S on a frame's first packet, 15-bit picture id.
        header[12] = off === 0 ? 0x90 : 0x80;
        header[13] = 0x80;
        header[14] = 0x80 | (this.pictureId >> 8);
        header[15] = this.pictureId & 0xff;
        this.send(Buffer.concat([header, part]));
      }
    }

    sendAudio() {
      if (!this.socket) return;
      this.audioTs = ((this.audioTs ?? 0) + 960) >>> 0;
      const p = Buffer.alloc(15);
      p[0] = 0x80;
      p[1] = OPUS_PT;
      p.writeUInt16BE(this.seq[3]++ & 0xffff, 2);
      p.writeUInt32BE(this.audioTs, 4);
      p.writeUInt32BE(this.base + 3, 8);
      // An Opus packet of 20 ms silence.
      p[12] = 0xf8;
      p[13] = 0xff;
      p[14] = 0xfe;
      this.send(p);
    }

    send(packet) {
      this.bytes += packet.length;
      this.socket.send(packet, this.target.port, this.target.ip);
    }

    close() {
      this.socket?.close();
      this.socket = undefined;
    }
  }

  /** A student: one plain receive transport into its own UDP socket, every producer consumed. */
  class Viewer {
    constructor(room, peerId, port, onPts) {
      Object.assign(this, { room, peerId, port, onPts });
      this.consumers = 0;
    }

    async join() {
      this.startedAt = performance.timeOrigin + performance.now();
      const peer = this.room.join(this.peerId);
      const t = await peer.createPlainTransport({ comedia: false, rtcpMux: true });
      await peer.connectPlainTransport(t.id, { ip: '127.0.0.1', port: this.port });
      // A sink never answers RTCP: consume with the codecs only (see sfu-forwarding.bench.mjs).
      const caps = {
        codecs: this.room.rtpCapabilities.codecs
          .filter((c) => c.mimeType === 'video/VP8' || c.mimeType === 'audio/opus')
          .map((c) => ({ ...c, rtcpFeedback: [] })),
        headerExtensions: [],
      };
      await Promise.all(
        this.room.listProducers(this.peerId).map(async (p) => {
          const c = await peer.consume({
            transportId: t.id,
            producerId: p.id,
            rtpCapabilities: caps,
          });
          this.onPts(c.kind, c.rtpParameters.codecs[0].payloadType);
          this.consumers++;
          await peer.resumeConsumer(c.id);
          if (c.kind === 'video') {
            const spatialLayer = c.peerId === 'teacher' ? 2 : 0;
            await peer.setPreferredLayers(c.id, { spatialLayer });
          }
        }),
      );
    }
  }

  /** Three VP8 layers of the same clip, as IVF frames, encoded once and kept in the temp dir. */
  function encodeLayers() {
    const dir = path.join(os.tmpdir(), 'educloud-large-class-bench');
    mkdirSync(dir, { recursive: true });
    return [
      [160, 90, '100k'],
      [320, 180, '250k'],
      [640, 360, '700k'],
    ].map(([w, h, rate]) => {
      const file = path.join(dir, `layer-${w}x${h}.ivf`);
      if (!existsSync(file)) {
        execFileSync('ffmpeg', [
          ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
          ...['-i', `testsrc=size=${w}x${h}:rate=${FPS}`, '-t', '4'],
          ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', rate],
          ...['-g', String(FPS), '-keyint_min', String(FPS), '-auto-alt-ref', '0', file],
        ]);
      }
      return readIvf(readFileSync(file));
    });
  }

  function readIvf(buf) {
    const frames = [];
    let off = buf.readUInt16LE(6);
    while (off + 12 <= buf.length) {
      const size = buf.readUInt32LE(off);
      const data = buf.subarray(off + 12, off + 12 + size);
      // VP8 frame tag: bit 0 of the first byte is 0 for a key frame.
      frames.push({ data, key: (data[0] & 1) === 0 });
      off += 12 + size;
    }
    return frames;
  }

  function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  await main();
  process.exit(0);
}
