#!/usr/bin/env node
// Class recording: what recording a class costs and how soon its replay is ready.
//  - CPU of a class of 1 teacher + 10 students (synthetic VP8 camera + Opus mic each, sent
//    copied by ffmpeg) forwarded to 10 plain consumers per producer, with and without the
//    recorder (mediasoup worker + recorder ffmpegs + this process), as a ratio;
//  - time from "stop" to "replay ready" (track ffmpegs close the replay files they wrote while
//    recording; only a track whose writer died is joined from its segments);
//  - MP4 export speed as a multiple of real time (its picture follows a speaker switching
//    every 3 s round the class), and with the whiteboard: a teacher presenting the board and
//    adding a rectangle every 0.5 s, drawn by tldraw in headless Chromium (its start included)
//    then laid in by ffmpeg; its time against the same export without the board.
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
const { drawBoardPictures } = await import('../server/dist/class-recording/board-pictures.js');
const { BoardRenderer } = await import('../server/dist/class-recording/board-renderer.js');
const webRoot = path.join(root, 'web/dist');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const withBoard = existsSync(path.join(webRoot, 'index.html')) && existsSync(chromiumPath);
if (!withBoard) console.log('(no built web client or no Chromium: the board round is skipped)');
const { pino } = await import('pino');
const { Registry } = await import('prom-client');
const { spawn } = await import('node:child_process');

// A tldraw 3 rectangle, as the board's binding stores it; the i-th in a grid of 8 a row.
const colours = ['red', 'blue', 'green', 'orange', 'violet', 'yellow'];
const rect = (i) => ({
  id: `shape:r${i}`,
  typeName: 'shape',
  type: 'geo',
  parentId: 'page:page',
  index: `a${i + 1}`,
  x: (i % 8) * 220,
  y: Math.floor(i / 8) * 160,
  rotation: 0,
  isLocked: false,
  opacity: 1,
  meta: {},
  props: {
    w: 200,
    h: 140,
    geo: 'rectangle',
    color: colours[i % colours.length],
    labelColor: 'black',
    fill: 'solid',
    dash: 'draw',
    size: 'm',
    font: 'draw',
    richText: { type: 'doc', content: [{ type: 'paragraph' }] },
    align: 'middle',
    verticalAlign: 'middle',
    growY: 0,
    url: '',
    scale: 1,
  },
});
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
  let exportBoard = null;
  let boardDrawMs = null;
  let boardPictures = 0;
  let boardOpenMs = 0;
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
    if (withBoard) {
      // The board on stage from 1 s; a rectangle added every 0.5 s from 2 s to 2 s before the end.
      const changes = [];
      for (let at = startedAt + 2000; at < endedAt - 2000; at += 500) changes.push(at);
      const recordsAt = async (at) => changes.filter((c) => c <= at).map((c, i) => rect(i));
      const b0 = performance.now();
      let renderer;
      const pictures = await drawBoardPictures({
        changes,
        recordsAt,
        startedAt,
        endedAt,
        dir: path.join(dir, 'export-board'),
        width: 1280,
        height: 720,
        draw: async () => {
          const o0 = performance.now();
          renderer = await BoardRenderer.open({ chromiumPath, webRoot });
          boardOpenMs = performance.now() - o0;
          return renderer;
        },
      });
      await renderer?.close();
      boardDrawMs = performance.now() - b0;
      boardPictures = pictures.pictures;
      const ffmpegSpeed = await exportSpeed({
        endedAt,
        speakers,
        board: {
          list: pictures.list,
          activity: { changes, stage: [{ at: startedAt + 1000, content: 'board' }] },
        },
      });
      const ffmpegMs = (endedAt - startedAt) / ffmpegSpeed;
      exportBoard = (endedAt - startedAt) / (ffmpegMs + boardDrawMs);
    }
  }
  await Promise.all(feeds.map((f) => f.stop()));
  await sfu.close();
  sink.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    cpu,
    readyMs,
    exportStill,
    exportFollowing,
    exportBoard,
    boardDrawMs,
    boardOpenMs,
    boardPictures,
    joined,
  };
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
          ? `, stop->replay ready ${(x.readyMs / 1000).toFixed(2)} s (${x.joined} tracks joined from segments), MP4 export ${x.exportFollowing.toFixed(1)}x real time following speakers (${x.exportStill.toFixed(1)}x one camera)` +
            (x.exportBoard !== null
              ? `, with the board ${x.exportBoard.toFixed(1)}x (${x.boardPictures} pictures drawn in ${(x.boardDrawMs / 1000).toFixed(2)} s, of which Chromium's start ${(x.boardOpenMs / 1000).toFixed(2)} s)`
              : '')
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
if (withBoard) {
  const board = median(res.record.map((x) => x.exportBoard));
  const draw = median(res.record.map((x) => x.boardDrawMs));
  console.log(`  MP4 export with the whiteboard: ${board.toFixed(1)}x real time`);
  const open = median(res.record.map((x) => x.boardOpenMs));
  const each = median(
    res.record.map((x) => (x.boardDrawMs - x.boardOpenMs) / Math.max(1, x.boardPictures)),
  );
  console.log(
    `    of which drawing the board: ${(draw / 1000).toFixed(2)} s (Chromium start ` +
      `${(open / 1000).toFixed(2)} s, then ${each.toFixed(0)} ms a picture)`,
  );
  console.log(`  ratio export time with/without the board: ${(following / board).toFixed(2)}`);
}
