#!/usr/bin/env node
// Publish-to-first-segment latency of the RTMP ingest: an OBS-like ffmpeg publisher (x264 +
// AAC in FLV) against our library, timed until the first segment is listed in index.m3u8 and
// until ffprobe accepts the playlist; plus the packager's CPU while copying. Runs the default
// (2 s segments, 2 s GOP) and the low-latency setting (1 s segments, 1 s GOP). A measurement,
// not a test: it never fails on numbers.
//
//   npx tsc -b rtmp-ingest && node bench/ingest-latency.bench.mjs [rounds=3]
//
// Needs Debian's ffmpeg/ffprobe.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(repoRoot, 'rtmp-ingest/dist/index.js'))) {
  console.error('rtmp-ingest is not compiled: run `npx tsc -b rtmp-ingest` first');
  process.exit(1);
}
const { start, ingestMigrations } = await import('@educloud/rtmp-ingest');
const { default: SQLite } = await import('better-sqlite3');
const { Kysely, Migrator, SqliteDialect } = await import('kysely');
const { pino } = await import('pino');
const { Registry } = await import('prom-client');

const rounds = Number(process.argv[2] ?? 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const clockTick = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || 100);

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTick;
}

function listed(file) {
  try {
    return /#EXTINF/.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

function probes(file) {
  return spawnSync('ffprobe', ['-v', 'error', file]).status === 0;
}

async function round(setting) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ingest-bench-'));
  const db = new Kysely({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  await new Migrator({
    db,
    provider: { getMigrations: async () => ingestMigrations },
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  const handle = await start({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    db,
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    verifyStreamKey: async () => ({ classId: 'bench' }),
    hls: setting.hls,
    reconnectGraceMs: 1000,
    recoverOnStart: false,
  });
  let recordingId = null;
  handle.on('broadcastStarted', (e) => (recordingId = e.recordingId));
  const t0 = performance.now();
  const pub = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi'],
      ...['-i', 'testsrc=size=1280x720:rate=30', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
      ...['-g', String(setting.gop), '-c:a', 'aac', '-f', 'flv'],
      `rtmp://127.0.0.1:${handle.port}/live/bench-key`,
    ],
    { stdio: 'ignore' },
  );
  let firstSegment = null;
  let firstPlayable = null;
  while (performance.now() - t0 < 30_000 && firstPlayable === null) {
    if (recordingId) {
      const pl = path.join(handle.hlsDir(recordingId), 'index.m3u8');
      if (firstSegment === null && listed(pl)) firstSegment = performance.now() - t0;
      if (firstSegment !== null && probes(pl)) firstPlayable = performance.now() - t0;
    }
    await sleep(50);
  }
  // Packager CPU over 5 s of steady state.
  let cpu = null;
  const pidFile = recordingId && path.join(handle.hlsDir(recordingId), 'packager.pid');
  if (pidFile && existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const c0 = cpuSeconds(pid);
    await sleep(5000);
    cpu = (cpuSeconds(pid) - c0) / 5;
  }
  pub.kill('SIGKILL');
  await handle.close();
  await db.destroy();
  rmSync(dataDir, { recursive: true, force: true });
  return { firstSegment, firstPlayable, cpu };
}

const settings = [
  { name: 'default: 2 s segments, GOP 60 @30fps', hls: { segmentSeconds: 2 }, gop: 60 },
  { name: 'lowLatency: 1 s segments, GOP 30 @30fps', hls: { lowLatency: true }, gop: 30 },
];
console.log(`720p30 publisher, ${rounds} rounds per setting; ${os.availableParallelism()} cores`);
for (const s of settings) {
  const results = [];
  for (let i = 0; i < rounds; i++) results.push(await round(s));
  const seg = results.map((r) => r.firstSegment).filter((x) => x !== null);
  const play = results.map((r) => r.firstPlayable).filter((x) => x !== null);
  const cpu = results.map((r) => r.cpu).filter((x) => x !== null);
  console.log(
    `${s.name}: first listed segment median ${median(seg)?.toFixed(0)} ms ` +
      `[${seg.map((x) => x.toFixed(0)).join(', ')}], ffprobe-playable median ` +
      `${median(play)?.toFixed(0)} ms, packager CPU median ${(median(cpu) * 100).toFixed(1)} % of a core`,
  );
}
