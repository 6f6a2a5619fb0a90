#!/usr/bin/env node
// Class recording: how long after "start" each track is recorded (media before that is lost).
// A class of 1 teacher + N students (synthetic VP8 camera + Opus mic each) is already sending
// when the recorder starts; per track, the time from RoomRecorder.start to the track's start
// (its consumer resumed into a listening ffmpeg): first, median and last track, and the
// microphones' median. Each round runs the recorder as it is (a few track ffmpegs started at
// once, microphones first) and, as the baseline, with every track's ffmpeg started at once.
// A measurement, not a test: it prints medians and never fails on numbers.
//
//   npx tsc -b && node bench/class-recording-start.bench.mjs [students=10] [rounds=2]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const students = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 2);

const { start, RoomRecorder, startSyntheticProducer } = await import('@educloud/sfu');
const { pino } = await import('pino');
const { Registry } = await import('prom-client');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function round(startConcurrency) {
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
  const mics = [];
  const recorder = RoomRecorder.start({
    room,
    dir,
    ffmpegPath: 'ffmpeg',
    logger,
    startConcurrency,
    onTrackStarted: (t) => {
      startedAt.push(t.startedAt - wall0);
      if (t.kind === 'audio') mics.push(t.startedAt - wall0);
    },
  });
  await recorder.settled();
  await sleep(1000);
  await recorder.stop();
  await Promise.all(feeds.map((f) => f.stop()));
  await sfu.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    first: Math.min(...startedAt),
    median: median(startedAt),
    max: Math.max(...startedAt),
    mics: median(mics),
    n: startedAt.length,
  };
}

console.log(
  `1 teacher + ${students} students (VP8 camera + Opus mic each) sending; ${rounds} rounds; ` +
    `${os.availableParallelism()} cores`,
);
// The recorder's default (the cores, at least 2), a little more, and the baseline.
const modes = { gated: undefined, 'gated x4': 4, 'all at once': 1000 };
const res = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
const line = (x) =>
  `first ${x.first.toFixed(0)} ms, median ${x.median.toFixed(0)} ms, last ${x.max.toFixed(0)} ms, ` +
  `microphones' median ${x.mics.toFixed(0)} ms`;
for (let r = 1; r <= rounds; r++) {
  const order = r % 2 ? Object.keys(modes) : Object.keys(modes).reverse();
  for (const mode of order) {
    const x = await round(modes[mode]);
    res[mode].push(x);
    console.log(`round ${r} ${mode.padEnd(11)} ${x.n} tracks: start -> track recording ${line(x)}`);
  }
}
const med = (mode) => {
  const xs = res[mode];
  const pick = (k) => median(xs.map((x) => x[k]));
  return { first: pick('first'), median: pick('median'), max: pick('max'), mics: pick('mics') };
};
const all = med('all at once');
console.log('\nmedians over rounds, start -> track recording');
for (const mode of Object.keys(modes)) console.log(`  ${mode.padEnd(11)} ${line(med(mode))}`);
for (const mode of ['gated', 'gated x4']) {
  const x = med(mode);
  console.log(
    `  ratio ${mode}/all at once: median track ${(x.median / all.median).toFixed(2)}, ` +
      `microphones ${(x.mics / all.mics).toFixed(2)}, last track ${(x.max / all.max).toFixed(2)}`,
  );
}
