#!/usr/bin/env node
// OBS broadcast latency through the built server, in one run:
//  - publish → first playable HLS segment (status says live, then index.m3u8 lists a segment),
//  - glass-to-glass on the watch page (hls.js in Chromium), standard (2 s segments, 2 s GOP) and
//    low latency (1 s segments, 1 s GOP),
//  - glass-to-glass over the WebRTC bridge (a student's live room, H.264 copied into RTP),
//  - CPU of the server's packager and bridge ffmpegs next to a bare `ffmpeg -c copy -f hls` reading
//    the same stream.
// Glass time: the publisher burns its wall clock (ms, 20 bits) into each frame as a barcode,
// taken from RTCTIME when the frame is made; the page reads it from every presented frame.
// Everything runs on this machine, so clocks agree. A measurement, not a test.
//
//   npm run build && node bench/broadcast-latency.bench.mjs [seconds=15] [standard|low]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, launchChromium, logIn, root as repoRoot, startServer } from './support.mjs';

for (const f of ['server/dist/main.js', 'web/dist/index.html']) {
  if (!existsSync(path.join(repoRoot, f))) {
    console.error(`${f} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const seconds = Number(process.argv[2] ?? 15);
const only = process.argv[3];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const clockTick = 100;
const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};
const fmt = (xs) =>
  xs.length === 0
    ? 'no samples'
    : `median ${Math.round(pct(xs, 50))} ms, p90 ${Math.round(pct(xs, 90))} ms (${xs.length} frames)`;

function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clockTick;
  } catch {
    return NaN;
  }
}

/** Direct children of `pid`, with their command lines. */
function children(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      out.push({ pid: Number(d), cmd });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function startBroadcastServer(env) {
  const rtmpPort = await freePort();
  const server = await startServer({
    RTMP_ENABLED: 'true',
    RTMP_PORT: String(rtmpPort),
    RTMP_RECONNECT_GRACE_MS: '1000',
    ...env,
  });
  return { ...server, rtmpPort, close: server.stop };
}

function publisher(url, gopFrames, baseUs) {
  const bar = `lum='if(mod(floor(T*1000/pow(2\\,floor(X/16)))\\,2)\\,235\\,16)':cb=128:cr=128`;
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
      ...['-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30'],
      ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      '-filter_complex',
      `[0:v]format=yuv420p,settb=1/1000,setpts='(RTCTIME-${baseUs})/1000',split[a][b];` +
        // Back to an exact 30 fps timeline once the clock is drawn: wall-clock timestamps would
        // starve video against the audio input and jitter segment lengths (TARGETDURATION).
        `[b]crop=320:16:0:0,geq=${bar}[bar];[a][bar]overlay=0:0,settb=1/30,setpts=N[v]`,
      ...['-map', '[v]', '-map', '1:a', '-fps_mode:v', 'passthrough'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
      ...['-g', String(gopFrames), '-c:a', 'aac', '-f', 'flv', url],
    ],
    { stdio: 'ignore' },
  );
}

/* global MediaStream */
// Runs in the page: reads the barcode of every presented frame of `video` for `ms`.
function glassToGlass({ selector, base, ms, useTrack }) {
  let video;
  if (useTrack) {
    const peers = window.educloudLive.snapshot().peers;
    const t = peers
      .flatMap((p) => p.tracks)
      .find((x) => x.source === 'ingest' && x.kind === 'video');
    video = document.createElement('video');
    video.muted = true;
    video.srcObject = new MediaStream([t.track]);
    document.body.appendChild(video);
    void video.play();
  } else {
    video = document.querySelector(selector);
  }
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 16;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const out = [];
  const wrap = 2 ** 20;
  const end = performance.now() + ms;
  return new Promise((resolve) => {
    const step = () => {
      if (performance.now() > end) return resolve(out);
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (w > 0) {
        ctx.drawImage(video, 0, 0, (320 * w) / 640, (16 * h) / 360, 0, 0, 320, 16);
        const d = ctx.getImageData(0, 8, 320, 1).data;
        let v = 0;
        for (let k = 0; k < 20; k++) if (d[(k * 16 + 8) * 4] > 128) v += 2 ** k;
        const now = Date.now() - base;
        out.push((((now - v) % wrap) + wrap) % wrap);
      }
      video.requestVideoFrameCallback(step);
    };
    video.requestVideoFrameCallback(step);
  });
}

async function api(baseUrl, method, p, body, token) {
  const res = await fetch(`${baseUrl}${p}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.status === 204 ? null : res.json();
}

async function openLoggedIn(browser, baseUrl, email) {
  const page = await (await browser.newContext({ baseURL: baseUrl })).newPage();
  await logIn(page, baseUrl, email);
  return page;
}

async function scenario(browser, name, env, gopFrames, withBridge) {
  const server = await startBroadcastServer(env);
  const procs = [];
  try {
    const { baseUrl } = server;
    const tok = {};
    for (const [who, role] of [
      ['teacher', 'teacher'],
      ['student', 'student'],
    ]) {
      const r = await api(baseUrl, 'POST', '/api/auth/signup', {
        email: `${who}@bench.test`,
        password: 'long password',
        displayName: who,
        role,
      });
      tok[who] = r.accessToken;
    }
    const c = await api(baseUrl, 'POST', '/api/classes', { title: 'Bench' }, tok.teacher);
    const classId = c.class.id;
    await api(
      baseUrl,
      'POST',
      `/api/invites/${c.class.inviteUrl.split('/join/')[1]}/join`,
      undefined,
      tok.student,
    );
    const { streamKey } = await api(
      baseUrl,
      'GET',
      `/api/classes/${classId}/stream-key`,
      undefined,
      tok.teacher,
    );

    const watch = await openLoggedIn(browser, baseUrl, 'student@bench.test');
    await watch.goto(`/classes/${classId}/watch`);
    await watch.getByTestId('watch-offline').waitFor();

    const base = Date.now();
    const t0 = performance.now();
    const rtmpUrl = `rtmp://127.0.0.1:${server.rtmpPort}/live/${streamKey}`;
    procs.push(publisher(rtmpUrl, gopFrames, base * 1000));
    let hlsUrl = null;
    while (!hlsUrl && performance.now() - t0 < 30_000) {
      const st = await api(
        baseUrl,
        'GET',
        `/api/classes/${classId}/broadcast`,
        undefined,
        tok.student,
      );
      hlsUrl = st.hlsUrl;
      if (!hlsUrl) await sleep(50);
    }
    const tLive = performance.now() - t0;
    const media = `${baseUrl}${hlsUrl.replace('master.m3u8', 'index.m3u8')}`;
    let tSegment = NaN;
    while (performance.now() - t0 < 30_000) {
      const r = await fetch(media);
      if (r.ok && /seg_\d+\.ts/.test(await r.text())) {
        tSegment = performance.now() - t0;
        break;
      }
      await sleep(50);
    }
    console.log(
      `${name}: publish → status live ${Math.round(tLive)} ms, → first segment listed ${Math.round(tSegment)} ms`,
    );

    await watch.locator('[data-testid="hls-video"]').waitFor({ timeout: 30_000 });
    await watch.waitForFunction(
      () => document.querySelector('[data-testid="hls-video"]')?.readyState >= 2,
      undefined,
      { timeout: 30_000 },
    );
    console.log(`${name}: publish → watch page playing ${Math.round(performance.now() - t0)} ms`);
    // Let hls.js settle on its live position before sampling.
    await sleep(3000);
    const hls = await watch.evaluate(glassToGlass, {
      selector: '[data-testid="hls-video"]',
      base,
      ms: seconds * 1000,
      useTrack: false,
    });
    console.log(
      `${name}: HLS glass-to-glass, viewer waiting from the start ${fmt(hls.filter((x) => x < 60_000))}`,
    );
    // A viewer who arrives later finds a long playlist: hls.js then starts 3 target durations
    // behind the live edge instead of at the first segment.
    await watch.reload();
    await watch.waitForFunction(
      () => document.querySelector('[data-testid="hls-video"]')?.readyState >= 2,
      undefined,
      { timeout: 30_000 },
    );
    await sleep(3000);
    const late = await watch.evaluate(glassToGlass, {
      selector: '[data-testid="hls-video"]',
      base,
      ms: seconds * 1000,
      useTrack: false,
    });
    console.log(
      `${name}: HLS glass-to-glass, viewer joining later ${fmt(late.filter((x) => x < 60_000))}`,
    );

    if (withBridge) {
      const room = await openLoggedIn(browser, baseUrl, 'student@bench.test');
      const joinedAt = performance.now();
      await room.goto(`/classes/${classId}`);
      await room.getByTestId('join-live').click();
      await room.waitForFunction(
        () =>
          window.educloudLive
            ?.snapshot()
            .peers.some((p) => p.tracks.some((t) => t.source === 'ingest' && t.kind === 'video')),
        undefined,
        { timeout: 30_000 },
      );
      await room.waitForFunction(
        async () =>
          (await window.educloudLive.inboundStats()).some(
            (s) => s.source === 'ingest' && s.kind === 'video' && s.framesDecoded > 0,
          ),
        undefined,
        { timeout: 30_000, polling: 100 },
      );
      console.log(
        `${name}: live-room join → first bridged frame decoded ${Math.round(performance.now() - joinedAt)} ms`,
      );
      await sleep(2000);
      const rtc = await room.evaluate(glassToGlass, { base, ms: seconds * 1000, useTrack: true });
      console.log(`${name}: WebRTC bridge glass-to-glass ${fmt(rtc.filter((x) => x < 60_000))}`);
      await room.context().close();
    }

    // CPU over the same window: the server's ffmpegs next to a bare copy-to-HLS reader.
    const bareDir = mkdtempSync(path.join(os.tmpdir(), 'bare-hls-'));
    const bare = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-rw_timeout', '3000000'],
        ...['-i', rtmpUrl, '-map', '0:v?', '-map', '0:a?', '-c', 'copy'],
        ...['-f', 'hls', '-hls_time', env.HLS_LOW_LATENCY ? '1' : '2'],
        ...['-hls_playlist_type', 'event', path.join(bareDir, 'index.m3u8')],
      ],
      { stdio: 'ignore' },
    );
    procs.push(bare);
    await sleep(3000);
    const kids = children(server.pid);
    const packager = kids.find((k) => k.cmd[0].endsWith('ffmpeg') && k.cmd.includes('hls'));
    const bridge = kids.find((k) => k.cmd[0].endsWith('ffmpeg') && k.cmd.includes('rtp'));
    const worker = kids.find((k) => k.cmd[0].includes('mediasoup-worker'));
    const who = {
      server: server.pid,
      packager: packager?.pid,
      bridge: bridge?.pid,
      worker: worker?.pid,
      bare: bare.pid,
    };
    const before = Object.fromEntries(
      Object.entries(who).map(([k, p]) => [k, p ? cpuSeconds(p) : NaN]),
    );
    const w0 = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - w0) / 1000;
    const share = (k) => (((cpuSeconds(who[k]) - before[k]) / wall) * 100).toFixed(1);
    console.log(
      `${name}: CPU % of one core — packager ffmpeg ${share('packager')}, bare ffmpeg -c copy ${share('bare')}, ` +
        `bridge ffmpeg ${withBridge ? share('bridge') : 'n/a'}, server node ${share('server')}, mediasoup worker ${share('worker')}`,
    );
    bare.kill('SIGINT');
    await sleep(500);
    rmSync(bareDir, { recursive: true, force: true });
    await watch.context().close();
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await server.close();
  }
}

const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
try {
  if (only !== 'low') {
    await scenario(browser, 'standard (2 s segments, GOP 2 s)', {}, 60, true);
  }
  if (only !== 'standard') {
    const low = { HLS_LOW_LATENCY: 'true' };
    await scenario(browser, 'low latency (1 s segments, GOP 1 s)', low, 30, false);
  }
} finally {
  await browser.close();
}
