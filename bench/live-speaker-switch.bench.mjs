#!/usr/bin/env node
// Speaker switch under last-N in Chromium: how long from the server selecting a new speaker to
// the observer's first decoded frame of that speaker's camera, with standby cameras
// (MEDIA_STANDBY_CAMERAS=2: recent speakers held back by last-N keep sending their lowest
// layer) against none (=0: their camera is paused at its source, so the switch waits on the
// new speaker's page to start encoding again), in the same run.
// A class of an observer (the teacher, camera off) and STUDENTS students sending a small fake
// camera (simulcast) and microphone, MEDIA_LAST_N=1: the observer receives one student camera.
// Three students take turns speaking (one unmuted at a time), as in a discussion, SWITCHES
// times. ORDER=handover (the default): the next speaker unmutes as the previous one mutes, both
// asked at once, as people hand over; ORDER=overlap: the previous one mutes only once the
// next one's unmute was answered; ORDER=gap: the next one unmutes once the previous one's mute
// was answered (nobody on for a moment). Every switch is timed from the next speaker's unmute (mic):
// mic -> server chose, server chose -> first frame, mic -> first frame, mic -> stage shows it.
// Clocks (one machine): the server's choice is when a Node Socket.IO client in the class
// (not a starved page) hears `speaker:active` for the new speaker (the server re-selects every
// viewer's cameras in that same tick); the frame is when the observer's page sees its
// framesDecoded grow (polled every 50 ms in the page). Beside it, per switch: when the
// observer's page hears its new selection, when the stage's <video> presents the new speaker's
// first frame (requestVideoFrameCallback: what the user sees), and the longest task that held
// the observer's main thread in between (Long Tasks API). BEFORE=<another built checkout>
// measures that one too, in turns with this one, and prints the ratios.
//
//   npx tsc -b && npm run build -w @educloud/web && node bench/live-speaker-switch.bench.mjs
//   (SWITCHES=6 STUDENTS=4 FAKE_CAMERA=320x180@10 STANDBY=0,2 ORDER=handover
//    BEFORE=/work/wt/integ)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import {
  checkoutsToCompare,
  launchChromium,
  loggedInPage,
  postJson,
  quantile,
  startServer,
  signUp,
} from './support.mjs';

const SWITCHES = Number(process.env.SWITCHES ?? 6);
const STUDENTS = Number(process.env.STUDENTS ?? 4);
const STANDBY = (process.env.STANDBY ?? '0,2').split(',');
const FAKE_CAMERA = process.env.FAKE_CAMERA ?? '320x180@10';
const ORDER = process.env.ORDER ?? 'handover';
if (!['handover', 'overlap', 'gap'].includes(ORDER)) {
  throw new Error(`ORDER=${ORDER}: handover, overlap or gap`);
}
const WAIT_MS = 60_000;
const SWITCH_TIMEOUT_MS = 30_000;

async function enterRoom(browser, url, classId, name, viewport) {
  const page = await loggedInPage(browser, url, name, { viewport, timeoutMs: WAIT_MS });
  // Tasks that hold the page's main thread (a render, a stats read), for the breakdown.
  await page.context().addInitScript(() => {
    window.benchLongTasks = [];
    new window.PerformanceObserver((list) => {
      for (const e of list.getEntries())
        window.benchLongTasks.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${url}/classes/${classId}`);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="join-live"]:not([disabled])') !== null,
  );
  await page.getByTestId('join-live').click();
  await page.locator('[data-testid="live-room"][data-status="joined"]').waitFor();
  return page;
}

/** A Node participant with no media: hears the server's speaker news the tick it is sent. */
async function spyOn(url, classId, token) {
  const socket = io(url, { transports: ['websocket'], auth: { token } });
  const heard = [];
  socket.on('speaker:active', ({ peerId }) => heard.push({ peerId, at: Date.now() }));
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const ack = await socket.timeout(10_000).emitWithAck('class:join', { classId });
  if (!ack.ok) throw new Error(`spy join: ${JSON.stringify(ack.error)}`);
  return { socket, heard };
}

const mic = (page, on) => page.evaluate((on) => window.educloudLive.setPaused('mic', !on), on);

async function measure(standby, checkout) {
  const server = await startServer({ MEDIA_LAST_N: '1', MEDIA_STANDBY_CAMERAS: standby }, checkout);
  const url = server.baseUrl;
  const browser = await launchChromium([`--use-file-for-fake-video-capture=${clip}`]);
  let spy;
  try {
    const t = await signUp(url, 'teacher', 'teacher');
    const c = await postJson(url, '/api/classes', { title: 'Bench' }, t.accessToken);
    const classId = c.class.id;
    const invite = c.class.inviteUrl.split('/join/')[1];
    const names = Array.from({ length: STUDENTS }, (_, i) => `s${i + 1}`);
    for (const name of [...names, 'spy']) {
      const s = await signUp(url, name, 'student');
      await postJson(url, `/api/invites/${invite}/join`, undefined, s.accessToken);
    }
    const observer = await enterRoom(browser, url, classId, 'teacher', {
      width: 1280,
      height: 800,
    });
    await observer.getByTestId('start-class').click();
    await observer.getByTestId('toggle-camera').click();
    // The observer only listens: every fake microphone beeps alike, and a dominant speaker is
    // only replaced by a clearly louder one, so its beeps would keep the students from taking
    // over.
    await mic(observer, false);
    const pages = {};
    for (const name of names) {
      pages[name] = await enterRoom(browser, url, classId, name, { width: 640, height: 480 });
      await mic(pages[name], false);
    }
    const spyLogin = await postJson(url, '/api/auth/login', {
      email: 'spy@b.test',
      password: 'long password',
    });
    spy = await spyOn(url, classId, spyLogin.accessToken);
    const ids = Object.fromEntries(
      await observer.evaluate(() =>
        window.educloudLive.snapshot().peers.map((p) => [p.info.name, p.info.peerId]),
      ),
    );
    // Everyone sends to the server before the turns start: each camera is consumed.
    await observer.waitForFunction(
      async (n) =>
        ((await window.educloudLive.inboundStats()) ?? []).filter((s) => s.kind === 'video')
          .length >= n,
      STUDENTS,
      { polling: 500, timeout: 2 * WAIT_MS },
    );
    const speakers = names.slice(0, 3);
    const results = [];
    let current = null;
    // Two warm-up turns each (all three become recent speakers), then the timed ones.
    for (let turn = 0; turn < 2 * speakers.length + SWITCHES; turn++) {
      const target = speakers[turn % speakers.length];
      const targetId = ids[target];
      // The observer waits for the target's first new frame on its own (polled in the page),
      // and for the stage to present it.
      const framesDone = observer.evaluate(
        async ([peerId, name, timeout]) => {
          const live = window.educloudLive;
          const marks = { frame: null, shown: null, selection: null };
          const onSelection = (e) => {
            if (e.peerIds.includes(peerId)) marks.selection ??= Date.now();
          };
          live.socket.on('video:selection', onSelection);
          const deadline = Date.now() + timeout;
          const camera = () =>
            live
              .snapshot()
              .peers.find((p) => p.info.peerId === peerId)
              ?.tracks.find((t) => t.kind === 'video' && t.source === 'camera')?.track;
          const shown = new Promise((resolve) => {
            const look = () => {
              if (Date.now() > deadline) return resolve(null);
              const stage = document.querySelector('[data-testid="stage-speaker"]');
              const video = stage?.textContent?.includes(name)
                ? stage.querySelector('video')
                : null;
              const track = camera();
              if (video && track && video.srcObject?.getVideoTracks()[0] === track) {
                video.requestVideoFrameCallback((_, meta) =>
                  resolve(performance.timeOrigin + meta.presentationTime),
                );
              } else setTimeout(look, 20);
            };
            look();
          });
          const frames = async () =>
            (await live.inboundStats(peerId))
              .filter((s) => s.kind === 'video')
              .reduce((n, s) => n + s.framesDecoded, 0);
          const base = await frames();
          while (Date.now() < deadline) {
            if ((await frames()) > base) {
              marks.frame = Date.now();
              break;
            }
            await new Promise((r) => setTimeout(r, 50));
          }
          marks.shown = await shown;
          live.socket.off('video:selection', onSelection);
          return marks;
        },
        [targetId, target, SWITCH_TIMEOUT_MS],
      );
      const heardBefore = spy.heard.length;
      let switchedAt = Date.now();
      const previous = current;
      if (ORDER === 'handover') {
        await Promise.all([mic(pages[target], true), previous && mic(pages[previous], false)]);
      } else if (ORDER === 'overlap') {
        await mic(pages[target], true);
        if (previous) await mic(pages[previous], false);
      } else {
        if (previous) await mic(pages[previous], false);
        // Timed from the unmute itself, as the other orders.
        switchedAt = Date.now();
        await mic(pages[target], true);
      }
      current = target;
      const marks = await framesDone;
      const frameAt = marks.frame;
      const selected = spy.heard.slice(heardBefore).find((h) => h.peerId === targetId);
      const timed = turn >= 2 * speakers.length;
      const since = (at) => (selected && at ? Math.round(at - selected.at) : null);
      const longTasks = await observer.evaluate(() => window.benchLongTasks.splice(0));
      const end = marks.shown ?? frameAt ?? Infinity;
      const block = selected
        ? Math.round(
            Math.max(
              0,
              ...longTasks.filter((t) => t.at + t.ms > selected.at && t.at < end).map((t) => t.ms),
            ),
          )
        : null;
      const fromMic = (at) => (at && at >= switchedAt ? Math.round(at - switchedAt) : null);
      const r = {
        detect: selected ? selected.at - switchedAt : null,
        toFrame: since(frameAt),
        micToFrame: fromMic(frameAt),
        micToShown: fromMic(marks.shown),
        toShown: since(marks.shown),
        toPage: since(marks.selection),
        block,
        selected: !!selected,
      };
      if (timed) results.push(r);
      console.log(
        `  standby ${standby} ${timed ? 'switch' : 'warm-up'} to ${target}: speaker:active ` +
          `${r.detect ?? 'never'} ms after its mic, first frame ${
            r.toFrame ?? (frameAt ? 'before the server chose it' : 'never (30 s)')
          } ms after that (page told ${r.toPage ?? '-'} ms, stage shows it ${
            r.toShown ?? '-'
          } ms, longest main-thread task ${r.block ?? '-'} ms); from the mic: first frame ${
            r.micToFrame ?? '-'
          } ms, stage ${r.micToShown ?? '-'} ms`,
      );
      // The previous speaker's camera settles back (held, standby or paused) before the next.
      await new Promise((r) => setTimeout(r, 2000));
    }
    return results;
  } finally {
    spy?.socket.close();
    await browser.close();
    await server.stop();
  }
}

const [w, rate] = FAKE_CAMERA.split('@');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'educloud-switch-bench-'));
const clip = path.join(tmp, 'camera.y4m');
execFileSync('ffmpeg', [
  ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
  ...['-i', `testsrc=size=${w}:rate=${rate}`, '-t', '2', '-pix_fmt', 'yuv420p', clip],
]);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => (xs.length === 0 ? NaN : quantile(sorted(xs), 0.5));
const p95 = (xs) => (xs.length === 0 ? NaN : quantile(sorted(xs), 0.95));
const present = (results, key) => results.map((r) => r[key]).filter((x) => x !== null);
try {
  const rows = [];
  for (const standby of STANDBY) {
    for (const { label, checkout } of checkoutsToCompare()) {
      const results = await measure(standby, checkout);
      const toFrame = present(results, 'toFrame');
      const notChosen = results.filter((r) => !r.selected).length;
      rows.push({
        label,
        standby,
        toFrame,
        toShown: present(results, 'toShown'),
        micToFrame: present(results, 'micToFrame'),
        micToShown: present(results, 'micToShown'),
        toPage: present(results, 'toPage'),
        block: present(results, 'block'),
        detect: present(results, 'detect'),
        notChosen,
        missed: results.length - toFrame.length - notChosen,
      });
    }
  }
  console.log(
    `\n${STUDENTS} students + observer, MEDIA_LAST_N=1, camera ${FAKE_CAMERA}, ${SWITCHES} ` +
      `switches, ORDER=${ORDER}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  /** The figures of one switch, from the mic (the next speaker's unmute) on, in ms. */
  const figures = [
    ['mic -> server chose', 'detect'],
    ['server chose -> first frame', 'toFrame'],
    ['mic -> first frame', 'micToFrame'],
    ['mic -> stage shows it', 'micToShown'],
    ['server chose -> stage shows it', 'toShown'],
  ];
  console.log(
    `run    standby | ${figures.map(([name]) => `${name}: median / p95`).join(' | ')} | ` +
      'page told: median | longest main-thread task: median / max',
  );
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(6)} ${r.standby.padStart(7)} | ${figures
        .map(([, key]) => `${median(r[key])} / ${p95(r[key])}`)
        .join(' | ')} | ${median(r.toPage)} | ${median(r.block)} / ${Math.max(...r.block)}`,
    );
    console.log(
      `         all: first frame after the choice ${r.toFrame.join(' ')} (${r.missed} without a ` +
        `frame in 30 s, ${r.notChosen} never chosen); mic -> first frame ${r.micToFrame.join(' ')}`,
    );
  }
  const byLabel = (label, standby) => rows.find((r) => r.label === label && r.standby === standby);
  for (const standby of STANDBY) {
    const [b, a] = [byLabel('before', standby), byLabel('after', standby)];
    if (!b || !a) continue;
    const ratio = (key, f) => (f(a[key]) / f(b[key])).toFixed(2);
    console.log(
      `after / before, standby ${standby}: ${figures
        .map(([name, key]) => `${name} median ${ratio(key, median)}, p95 ${ratio(key, p95)}`)
        .join('; ')}`,
    );
  }
  const on = (label) => rows.filter((r) => r.label === label);
  for (const label of ['before', 'after']) {
    const r = on(label);
    if (r.length !== 2) continue;
    console.log(
      `${label}: ratio standby ${r[1].standby} / ${r[0].standby}: mic -> first frame ` +
        `${(median(r[1].micToFrame) / median(r[0].micToFrame)).toFixed(2)}`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
