#!/usr/bin/env node
// Class recording: what recording a class costs and how soon its replay is ready.
//  - CPU of a class of 1 teacher + 10 students (synthetic VP8 camera + Opus mic each, sent
//    copied by ffmpeg) forwarded to 10 plain consumers per producer, with and without the
//    recorder (mediasoup worker + recorder ffmpegs + this process), as a ratio;
//  - time from "stop" to "replay ready" (track ffmpegs close the replay files they wrote while
//    recording; only a track whose writer died is joined from its segments);
//  - MP4 export speed as a multiple of real time (its picture follows a speaker switching
//    every 3 s round the class).
// A measurement, not a test: it prints medians and never fails on numbers.
//
//   npx tsc -b && node bench/class-recording.bench.mjs [seconds=12] [rounds=2]
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { root } from './support.mjs';

const seconds = Number(process.argv[2] ?? 12);
const rounds = Number(process.argv[3] ?? 2);
const students = 10;
const sinksPerProducer = 10;

if (!existsSync(path.join(root, 'server/dist/class-recording/class-export.js'))) {
  console.error('not compiled: run `npx tsc -b` first');
  process.exit(1);
}
const { start, RoomRecorder, startSyntheticProducer, finalizeTrack } =
  await import('@educloud/sfu');
const { exportArgs } = await import('../server/dist/class-recording/class-export.js');
const { pino } = await import('pino');
const { Registry } = await import('prom-client');
const { spawn } = await import('node:child_process');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ticks = 100; // USER_HZ on Linux
function procCpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / ticks;
  } catch {
    return 0;
  }
}
function recorderPids(dir) {
  const out = [];
  const tracks = path.join(dir, 'tracks');
  if (!existsSync(tracks)) return out;
  for (const t of readdirSync(tracks)) {
    try {
      out.push(Number(readFileSync(path.join(tracks, t, 'ffmpeg.pid'), 'utf8')));
    } catch {
      // ended track
    }
  }
  return out;
}

async function round(record) {
  const sink = dgram.createSocket('udp4');
  await new Promise((r) => sink.bind(0, '127.0.0.1', r));
  const sinkPort = sink.address().port;
  sink.on('message', () => {});
  const sfu = await start({
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    enableTcp: false,
  });
  const room = await sfu.createRoom('bench-class');
  const feeds = [];
  for (let i = 0; i <= students; i++) {
    const peerId = i === 0 ? 'teacher' : `student-${i}`;
    feeds.push(await startSyntheticProducer(room, { peerId, kind: 'video' }));
    feeds.push(await startSyntheticProducer(room, { peerId, kind: 'audio' }));
  }
  const caps = {
    codecs: room.rtpCapabilities.codecs
      .filter((c) => !/rtx/i.test(c.mimeType))
      .map((c) => ({ ...c, rtcpFeedback: [] })),
    headerExtensions: [],
  };
  for (let s = 0; s < sinksPerProducer; s++) {
    const peer = room.join(`sink-${s}`);
    for (const f of feeds) {
      const t = await peer.createPlainTransport({
        comedia: false,
        rtcpMux: true,
        listenIp: '127.0.0.1',
      });
      await peer.connectPlainTransport(t.id, { ip: '127.0.0.1', port: sinkPort });
      const c = await peer.consume({
        transportId: t.id,
        producerId: f.producerId,
        rtpCapabilities: caps,
      });
      await peer.resumeConsumer(c.id);
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'class-rec-bench-'));
  const recorder = record
    ? RoomRecorder.start({ room, dir, ffmpegPath: 'ffmpeg', logger: pino({ level: 'silent' }) })
    : null;
  await recorder?.settled();
  await sleep(3000);
  const worker = sfu.pool.workers[0].worker;
  const cpuNow = async () => {
    const u = await worker.getResourceUsage();
    const self = process.cpuUsage();
    const rec = recorderPids(dir).reduce((s, pid) => s + procCpuMs(pid), 0);
    return u.ru_utime + u.ru_stime + (self.user + self.system) / 1000 + rec;
  };
  const c0 = await cpuNow();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = ((await cpuNow()) - c0) / (performance.now() - t0);
  let readyMs = null;
  let exportStill = null;
  let exportFollowing = null;
  let joined = 0;
  if (recorder) {
    const s0 = performance.now();
    const tracks = await recorder.stop();
    // As the server does: a track whose replay file the writer closed on stop is ready as it
    // is; only the others (a writer that died) are joined from segments, four at a time.
    const finished = tracks
      .filter((t) => t.replayWritten)
      .map((t) => ({ ...t, name: t.peerId, file: `${t.trackId}.${t.finalExt}` }));
    const queue = tracks.filter((t) => !t.replayWritten);
    joined = queue.length;
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let t = queue.shift(); t; t = queue.shift()) {
          const file = `${t.trackId}.${t.finalExt}`;
          const done = await finalizeTrack(path.join(dir, t.segmentsDir), path.join(dir, file), {
            ffmpegPath: 'ffmpeg',
            ffprobePath: 'ffprobe',
          });
          if (done) finished.push({ ...t, name: t.peerId, file });
        }
      }),
    );
    readyMs = performance.now() - s0;
    const startedAt = Math.min(...finished.map((t) => t.startedAt));
    const endedAt = Math.max(...finished.map((t) => t.endedAt));
    // The export follows the active speaker: a new speaker every 3 s, round the class. The
    // baseline, in the same round: no speaker known, one camera all along.
    const peers = [...new Set(finished.map((t) => t.peerId))];
    const speakers = [];
    for (let at = startedAt + 1000, i = 0; at < endedAt; at += 3000, i++) {
      speakers.push({ at, peerId: peers[i % peers.length] });
    }
    const exportSpeed = async (o) => {
      const e0 = performance.now();
      const args = exportArgs(dir, finished, startedAt, path.join(dir, 'export.mp4'), o);
      await new Promise((resolve, reject) => {
        const child = spawn('ffmpeg', args, { stdio: 'ignore' });
        child.once('close', (code) =>
          code === 0 ? resolve() : reject(new Error(`export ${code}`)),
        );
      });
      return (endedAt - startedAt) / (performance.now() - e0);
    };
    exportStill = await exportSpeed({ endedAt, speakers: [] });
    exportFollowing = await exportSpeed({ endedAt, speakers });
  }
  await Promise.all(feeds.map((f) => f.stop()));
  await sfu.close();
  sink.close();
  rmSync(dir, { recursive: true, force: true });
  return { cpu, readyMs, exportStill, exportFollowing, joined };
}

console.log(
  `1 teacher + ${students} students (VP8 camera + Opus mic each), ${sinksPerProducer} plain ` +
    `consumers per producer; ${rounds} rounds x ${seconds}s; ${os.availableParallelism()} cores`,
);
const res = { forward: [], record: [] };
for (let r = 1; r <= rounds; r++) {
  for (const mode of r % 2 ? ['forward', 'record'] : ['record', 'forward']) {
    const x = await round(mode === 'record');
    res[mode].push(x);
    console.log(
      `round ${r} ${mode.padEnd(7)} CPU ${(x.cpu * 100).toFixed(1)}% of a core` +
        (x.readyMs !== null
          ? `, stop->replay ready ${(x.readyMs / 1000).toFixed(2)} s (${x.joined} tracks joined from segments), MP4 export ${x.exportFollowing.toFixed(1)}x real time following speakers (${x.exportStill.toFixed(1)}x one camera)`
          : ''),
    );
  }
}
const fwd = median(res.forward.map((x) => x.cpu));
const rec = median(res.record.map((x) => x.cpu));
console.log('\nmedians');
console.log(`  forwarding only  ${(fwd * 100).toFixed(1)}% of a core`);
console.log(`  with recording   ${(rec * 100).toFixed(1)}% of a core`);
console.log(`  ratio recording/forwarding CPU: ${(rec / fwd).toFixed(2)}`);
console.log(
  `  stop -> replay ready: ${(median(res.record.map((x) => x.readyMs)) / 1000).toFixed(2)} s`,
);
const following = median(res.record.map((x) => x.exportFollowing));
const still = median(res.record.map((x) => x.exportStill));
console.log(`  MP4 export following speakers: ${following.toFixed(1)}x real time`);
console.log(`  MP4 export, one camera (baseline): ${still.toFixed(1)}x real time`);
console.log(`  ratio following/one camera export speed: ${(following / still).toFixed(2)}`);
