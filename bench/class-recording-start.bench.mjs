#!/usr/bin/env node
// Class recording: how long after "start" each track is recorded (media before that is lost).
// A class of 1 teacher + N students (synthetic VP8 camera + Opus mic each) is already sending
// when the recorder starts; per track, the time from RoomRecorder.start to the track's start
// (its consumer resumed into a listening ffmpeg), median and max over the tracks, per round.
// A measurement, not a test: it prints medians and never fails on numbers.
//
//   npx tsc -b && node bench/class-recording-start.bench.mjs [students=10] [rounds=3]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const students = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 3);

const { start, RoomRecorder, startSyntheticProducer } = await import('@educloud/sfu');
const { pino } = await import('pino');
const { Registry } = await import('prom-client');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function round() {
  const logger = pino({ level: 'silent' });
  const sfu = await start({
    logger,
    registry: new Registry(),
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    enableTcp: false,
  });
  const room = await sfu.createRoom('bench-start');
  const feeds = [];
  for (let i = 0; i <= students; i++) {
    const peerId = i === 0 ? 'teacher' : `student-${i}`;
    feeds.push(await startSyntheticProducer(room, { peerId, kind: 'video' }));
    feeds.push(await startSyntheticProducer(room, { peerId, kind: 'audio' }));
  }
  await sleep(1500);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'class-rec-start-'));
  const wall0 = Date.now();
  const startedAt = [];
  const recorder = RoomRecorder.start({
    room,
    dir,
    ffmpegPath: 'ffmpeg',
    logger,
    onTrackStarted: (t) => startedAt.push(t.startedAt - wall0),
  });
  await recorder.settled();
  await sleep(1000);
  await recorder.stop();
  await Promise.all(feeds.map((f) => f.stop()));
  await sfu.close();
  rmSync(dir, { recursive: true, force: true });
  return { median: median(startedAt), max: Math.max(...startedAt), n: startedAt.length };
}

console.log(
  `1 teacher + ${students} students (VP8 camera + Opus mic each) sending; ${rounds} rounds; ` +
    `${os.availableParallelism()} cores`,
);
const res = [];
for (let r = 1; r <= rounds; r++) {
  const x = await round();
  res.push(x);
  console.log(
    `round ${r}: ${x.n} tracks, start -> track recording median ${x.median.toFixed(0)} ms, ` +
      `max ${x.max.toFixed(0)} ms`,
  );
}
console.log('\nmedians over rounds');
console.log(
  `  start -> track recording, median track: ${median(res.map((x) => x.median)).toFixed(0)} ms`,
);
console.log(
  `  start -> track recording, last track:   ${median(res.map((x) => x.max)).toFixed(0)} ms`,
);
