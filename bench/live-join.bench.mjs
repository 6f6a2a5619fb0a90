#!/usr/bin/env node
// Join to first decoded remote frame in Chromium, ours against a bare mediasoup-client page.
// For each room size (PUBLISHERS, default 1,3,6 already publishing their fake camera and
// microphone with our simulcast encodings), a joining page is timed RUNS times:
// - ours: the built server, a teacher and students publishing through our web client (each
//   receiving the others); the timer runs from the click on "Join the live class" to the first
//   decoded remote frame, and to every publisher's video decoded. The joiner sends its camera and
//   microphone too. Its join steps (the client's marks) are printed with STEPS=1 and as medians.
// - bare: bench/bare-sfu (one mediasoup router behind a WebSocket, no accounts or class state)
//   with the same number of publishing pages, each receiving the others; the timer runs from the
//   call to join (one receive transport, every producer consumed and resumed at once, the
//   camera and microphone sent beside it) to the same two points.
// Both read frames the same way (one stats read of the receive transport every 20 ms, polled in
// the page), and both joining pages sit SETTLE_MS on their page before the join starts. The
// two rooms never run at the same time, so each has the same load: its own publishers.
// Prints medians and ours/bare ratios (this 2-core machine is noisy). With BEFORE=<another
// built checkout> ours is measured there too, per size, and after/before ratios are printed.
//   flock /tmp/educloud-heavy.lock timeout 1800 env BEFORE=/work/main node bench/live-join.bench.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkoutsToCompare,
  launchChromium,
  loggedInPage,
  postJson,
  quantile,
  startServer,
  signUp,
} from './support.mjs';
import { startBareServer } from './bare-sfu/bare-server.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const SIZES = (process.env.PUBLISHERS ?? '1,3,6').split(',').map(Number);
const WAIT_MS = 60_000;
/** How long a joining page sits on the device check before the click (it has settled). */
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 3000);

async function joinAsStudent(browser, url, classId, name) {
  const page = await loggedInPage(browser, url, name, { timeoutMs: WAIT_MS });
  await page.goto(`${url}/classes/${classId}`);
  await waitJoinable(page);
  return page;
}

async function waitJoinable(page) {
  await page.getByTestId('join-live').waitFor({ timeout: 60_000 });
  // The device check is done once the button is enabled.
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="join-live"]')?.hasAttribute('disabled'),
  );
}

/**
 * Frames decoded per remote video in our client, named like the bare page's function and read
 * the same way (one stats read of the receive transport), so polling costs both pages alike.
 */
function exposeOurFrames(page) {
  return page.evaluate(() => {
    window.ourVideoFrames = async () => (await window.educloudLive?.receivedVideoFrames()) ?? [];
  });
}

/** Our client's join steps, in ms after the click. */
function joinSteps(page) {
  return page.evaluate(() => {
    const steps = window.educloudLive?.joinSteps() ?? {};
    return Object.fromEntries(
      Object.entries(steps).map(([k, at]) => [k, Math.round(at - window.benchClick)]),
    );
  });
}

/**
 * Resolves once `window[fn]()` reports at least `n` videos with a decoded frame, polled in the
 * page every 20 ms. Not page.waitForFunction: it takes the Promise an async predicate returns
 * for a truthy answer, and resolves at its first poll whatever the frames.
 */
function decodedAtLeast(page, fn, n, waitMs = WAIT_MS) {
  return page.evaluate(
    async ([fn, n, timeout]) => {
      const deadline = performance.now() + timeout;
      let frames = [];
      while (performance.now() < deadline) {
        frames = (await window[fn]?.()) ?? [];
        if (frames.filter((f) => f > 0).length >= n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`${n} video(s) not decoded within ${timeout} ms (frames ${frames})`);
    },
    [fn, n, waitMs],
  );
}

/**
 * Times one join: `start` begins it (without waiting for it), `frames` reads frames decoded. A
 * join with no frame in WAIT_MS counts as WAIT_MS (printed as missed), so one starved join does
 * not lose the whole size's figures.
 */
async function timeJoin(page, publishers, start, frames) {
  // A participant reads the device check before joining: the page has settled.
  await page.waitForTimeout(SETTLE_MS);
  const started = Date.now();
  await start();
  try {
    await decodedAtLeast(page, frames, 1);
  } catch (err) {
    console.log(`  missed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
    return { first: WAIT_MS, all: WAIT_MS, missed: true };
  }
  const first = Date.now() - started;
  await decodedAtLeast(page, frames, publishers).catch(() => undefined);
  return { first, all: Date.now() - started };
}

async function measureOurs(browser, publishers, checkout) {
  const server = await startServer({}, checkout);
  const url = server.baseUrl;
  const contexts = [];
  try {
    const t = await signUp(url, 'teacher', 'teacher');
    const names = ['joiner', ...Array.from({ length: publishers - 1 }, (_, i) => `pub${i}`)];
    const c = await postJson(url, '/api/classes', { title: 'Bench' }, t.accessToken);
    const classId = c.class.id;
    const invite = c.class.inviteUrl.split('/join/')[1];
    for (const name of names) {
      const s = await signUp(url, name, 'student');
      await postJson(url, `/api/invites/${invite}/join`, undefined, s.accessToken);
    }
    const teacher = await loggedInPage(browser, url, 'teacher', { timeoutMs: WAIT_MS });
    contexts.push(teacher.context());
    await teacher.goto(`${url}/classes/${classId}`);
    await teacher.getByTestId('join-live').click();
    await teacher.getByTestId('start-class').click();
    for (const name of names.slice(1)) {
      const page = await joinAsStudent(browser, url, classId, name);
      contexts.push(page.context());
      await page.getByTestId('join-live').click();
      // One after another, as a class fills: the room is set up before the timed joins.
      await page.locator('[data-testid="live-room"][data-status="joined"]').waitFor();
    }
    // Everyone publishing: the teacher decodes every student's camera.
    await exposeOurFrames(teacher);
    await decodedAtLeast(teacher, 'ourVideoFrames', publishers - 1, 2 * WAIT_MS);
    const joiner = await joinAsStudent(browser, url, classId, 'joiner');
    contexts.push(joiner.context());
    await exposeOurFrames(joiner);
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      if (i > 0) {
        await joiner.goto(`${url}/classes/${classId}`);
        await waitJoinable(joiner);
        await exposeOurFrames(joiner);
      }
      const time = await timeJoin(
        joiner,
        publishers,
        async () => {
          await joiner.evaluate(() => (window.benchClick = performance.now()));
          await joiner.getByTestId('join-live').click();
        },
        'ourVideoFrames',
      );
      const steps = await joinSteps(joiner);
      if (process.env.STEPS || time.missed) {
        const error = await joiner.evaluate(() => window.educloudLive?.snapshot().error ?? null);
        console.log(`  run ${i + 1}: ${JSON.stringify({ ...time, steps, error })}`);
      }
      times.push({ ...time, steps });
      // A starved page may take long to act on the click; the next goto leaves anyway.
      await joiner
        .getByTestId('leave-live')
        .click({ timeout: 60_000 })
        .catch(() => undefined);
    }
    return times;
  } finally {
    for (const c of contexts) await c.close();
    await server.stop();
  }
}

async function measureBare(browser, publishers) {
  const server = await startBareServer();
  const contexts = [];
  try {
    const pages = [];
    for (let i = 0; i < publishers; i++) {
      const page = await (await browser.newContext()).newPage();
      contexts.push(page.context());
      await page.goto(server.baseUrl);
      await page.evaluate(() => window.barePublish());
      pages.push(page);
    }
    // As in a class, every publisher receives the others.
    for (const page of pages) await page.evaluate(() => window.bareJoin());
    const joiner = await (await browser.newContext()).newPage();
    contexts.push(joiner.context());
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      // A fresh page each time: the WebSocket closing takes the last run's transport along.
      await joiner.goto(server.baseUrl);
      await joiner.waitForFunction(() => typeof window.bareJoin === 'function');
      times.push(
        await timeJoin(
          joiner,
          publishers,
          () =>
            joiner.evaluate(() => {
              // Started, not awaited: the timer runs to the frames, as for ours.
              window.bareJoining = window.bareJoin({ publish: true });
            }),
          'bareVideoFrames',
        ),
      );
    }
    return times;
  } finally {
    for (const c of contexts) await c.close();
    await server.stop();
  }
}

const median = (xs) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
// Every page's fake camera plays one small clip (FAKE_CAMERA=WxH@fps; `chromium` for Chromium's
// own 720p pattern): with several publishing pages on 2 cores, 720p simulcast encoders starve
// every page, ours and bare alike. Both rooms get the same camera.
const fakeCamera = process.env.FAKE_CAMERA ?? '640x360@15';
const clipDir = mkdtempSync(path.join(os.tmpdir(), 'educloud-live-join-'));
const cameraArgs = [];
if (fakeCamera !== 'chromium') {
  const [size, rate] = fakeCamera.split('@');
  const clip = path.join(clipDir, 'camera.y4m');
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
    ...['-i', `testsrc=size=${size}:rate=${rate}`, '-t', '2', '-pix_fmt', 'yuv420p', clip],
  ]);
  cameraArgs.push(`--use-file-for-fake-video-capture=${clip}`);
}
console.log(`fake camera: ${fakeCamera}`);
const browser = await launchChromium(cameraArgs);
try {
  const rows = [];
  const checkouts = checkoutsToCompare();
  for (const n of SIZES) {
    const byCheckout = {};
    for (const { label, checkout } of checkouts) {
      byCheckout[label] = await measureOurs(browser, n, checkout);
    }
    const bare = await measureBare(browser, n);
    const ours = byCheckout.after;
    const before = byCheckout.before;
    const row = {
      publishers: n,
      oursFirst: median(ours.map((t) => t.first)),
      bareFirst: median(bare.map((t) => t.first)),
      oursAll: median(ours.map((t) => t.all)),
      bareAll: median(bare.map((t) => t.all)),
      ...(before
        ? {
            beforeFirst: median(before.map((t) => t.first)),
            beforeAll: median(before.map((t) => t.all)),
          }
        : {}),
    };
    rows.push(row);
    if (before) {
      console.log(
        `${n} publisher(s), before (ms): first ${before.map((t) => t.first).join(' ')}` +
          ` | all ${before.map((t) => t.all).join(' ')}`,
      );
    }
    const steps = {};
    for (const t of ours) for (const [k, v] of Object.entries(t.steps)) (steps[k] ??= []).push(v);
    const stepMedians = Object.entries(steps)
      .map(([k, v]) => [k, median(v)])
      .sort((a, b) => a[1] - b[1]);
    console.log(
      `${n} publisher(s), our join steps (median ms after the click): ` +
        stepMedians.map(([k, v]) => `${k} ${v}`).join(', '),
    );
    console.log(
      `${n} publisher(s), ${RUNS} runs (ms): ours first ${ours.map((t) => t.first).join(' ')}` +
        ` | bare first ${bare.map((t) => t.first).join(' ')}` +
        ` | ours all ${ours.map((t) => t.all).join(' ')} | bare all ${bare.map((t) => t.all).join(' ')}`,
    );
  }
  console.log('\npublishers | first frame: ours / bare (ratio) | all videos: ours / bare (ratio)');
  for (const r of rows) {
    console.log(
      `${String(r.publishers).padStart(10)} | ${r.oursFirst} / ${r.bareFirst} ms` +
        ` (${(r.oursFirst / r.bareFirst).toFixed(2)}x) | ${r.oursAll} / ${r.bareAll} ms` +
        ` (${(r.oursAll / r.bareAll).toFixed(2)}x)`,
    );
  }
  if (rows.some((r) => r.beforeFirst !== undefined)) {
    console.log(
      '\npublishers | ours first frame: after / before (ratio) | all videos: after / before (ratio)',
    );
    for (const r of rows) {
      console.log(
        `${String(r.publishers).padStart(10)} | ${r.oursFirst} / ${r.beforeFirst} ms` +
          ` (${(r.oursFirst / r.beforeFirst).toFixed(2)}) | ${r.oursAll} / ${r.beforeAll} ms` +
          ` (${(r.oursAll / r.beforeAll).toFixed(2)})`,
      );
    }
  }
} finally {
  await browser.close();
  rmSync(clipDir, { recursive: true, force: true });
}
