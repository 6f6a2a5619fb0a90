#!/usr/bin/env node
// Page CPU of our client in a 6-person class, before/after a change, in the same run: the
// large-class end-to-end set-up (a teacher observing with its camera off, five students each
// sending a small fake camera and microphone, MEDIA_LAST_N=2, everyone's microphone on so the
// active speaker keeps moving). BEFORE=<another built checkout> runs first, then this one;
// ROUNDS alternate them (this machine's load drifts).
// Measured over SECONDS of steady state, from Chrome's Performance.getMetrics per page: its
// renderer process's CPU (ProcessTime: decoding, playing, drawing, script) and its main
// thread's CPU (ThreadTime: what starves a page's socket and media handling) and the script
// part of it, for the observer and as the students' median; and the CPU of the whole Chromium
// (all processes, % of one core; it saturates this 2-core machine, so it says little alone).
// Medians, after / before ratios.
//
//   BEFORE=/work/main node bench/client-cpu-class.bench.mjs   (ROUNDS=2 SECONDS=20)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkoutsToCompare,
  chromiumTicks,
  launchChromium,
  loggedInPage,
  postJson,
  quantile,
  startServer,
  signUp,
} from './support.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 2);
const SECONDS = Number(process.env.SECONDS ?? 20);
const STUDENTS = ['s1', 's2', 's3', 's4', 's5'];
const WAIT = { polling: 500, timeout: 180_000 };

async function openPage(browser, url, name, classId, viewport) {
  const page = await loggedInPage(browser, url, name, { viewport, timeoutMs: WAIT.timeout });
  await page.goto(`${url}/classes/${classId}`);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="join-live"]:not([disabled])') !== null,
    undefined,
    WAIT,
  );
  await page.getByTestId('join-live').click();
  await page.locator('[data-testid="live-room"][data-status="joined"]').waitFor(WAIT);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return { page, cdp };
}

/** CPU seconds of the page's renderer process, its main thread, and script on it. */
async function pageSeconds(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
  return {
    process: get('ProcessTime'),
    thread: get('ThreadTime'),
    script: get('ScriptDuration'),
  };
}

async function measure(checkout) {
  const server = await startServer({ MEDIA_LAST_N: '2' }, checkout);
  const browser = await launchChromium([`--use-file-for-fake-video-capture=${clip}`]);
  const url = server.baseUrl;
  try {
    const t = await signUp(url, 'teacher', 'teacher');
    const c = await postJson(url, '/api/classes', { title: 'Bench' }, t.accessToken);
    const classId = c.class.id;
    const invite = c.class.inviteUrl.split('/join/')[1];
    for (const name of STUDENTS) {
      const s = await signUp(url, name, 'student');
      await postJson(url, `/api/invites/${invite}/join`, undefined, s.accessToken);
    }
    const teacher = await openPage(browser, url, 'teacher', classId, { width: 1280, height: 900 });
    await teacher.page.getByTestId('start-class').click();
    await teacher.page.getByTestId('toggle-camera').click();
    const students = await Promise.all(
      STUDENTS.map((name) => openPage(browser, url, name, classId, { width: 640, height: 480 })),
    );
    const all = [teacher, ...students];
    // Steady state: the observer decodes its two student cameras and hears all five.
    await teacher.page.waitForFunction(
      async () => {
        const stats = (await window.educloudLive?.inboundStats()) ?? [];
        return (
          stats.filter((x) => x.kind === 'video' && x.framesDecoded > 0).length >= 2 &&
          stats.filter((x) => x.kind === 'audio' && x.packetsReceived > 0).length >= 5
        );
      },
      undefined,
      WAIT,
    );
    await new Promise((r) => setTimeout(r, 5000));
    const busy0 = await Promise.all(all.map((p) => pageSeconds(p.cdp)));
    const t0 = performance.now();
    const ticks0 = chromiumTicks(process.pid);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const secs = (performance.now() - t0) / 1000;
    const cpu = ((chromiumTicks(process.pid) - ticks0) / 100 / secs) * 100;
    const busy1 = await Promise.all(all.map((p) => pageSeconds(p.cdp)));
    const pct = (key) => busy1.map((b, i) => ((b[key] - busy0[i][key]) / secs) * 100);
    const r = { cpu };
    for (const key of ['process', 'thread', 'script']) {
      const values = pct(key);
      r[`observer_${key}`] = values[0];
      r[`student_${key}`] = median(values.slice(1));
    }
    return r;
  } finally {
    await browser.close();
    await server.stop();
  }
}

const median = (xs) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

const tmp = mkdtempSync(path.join(os.tmpdir(), 'educloud-cpu-class-'));
const clip = path.join(tmp, 'camera.y4m');
execFileSync('ffmpeg', [
  ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
  ...['-i', 'testsrc=size=320x180:rate=10', '-t', '2', '-pix_fmt', 'yuv420p', clip],
]);
const targets = checkoutsToCompare();
const runs = Object.fromEntries(targets.map((t) => [t.label, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
      const r = await measure(t.checkout);
      runs[t.label].push(r);
      const f = (who) =>
        ['process', 'thread', 'script'].map((k) => `${k} ${r[`${who}_${k}`].toFixed(1)}`);
      console.log(
        `${t.label} #${round + 1}: Chromium ${r.cpu.toFixed(1)}% of a core; observer page ` +
          `${f('observer').join(', ')}; student page (median) ${f('student').join(', ')}`,
      );
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const labels = targets.map((t) => t.label);
console.log(`\n6-person class, MEDIA_LAST_N=2, medians of ${ROUNDS}: ${labels.join(' / ')}`);
for (const [label, pick] of [
  ['Chromium CPU (% of a core)', (r) => r.cpu],
  ['observer process CPU %', (r) => r.observer_process],
  ['observer main thread CPU %', (r) => r.observer_thread],
  ['observer script %', (r) => r.observer_script],
  ['student process CPU %', (r) => r.student_process],
  ['student main thread CPU %', (r) => r.student_thread],
  ['student script %', (r) => r.student_script],
]) {
  const values = labels.map((l) => median(runs[l].map(pick)));
  const ratio = values.length === 2 ? ` = ${(values[1] / values[0]).toFixed(2)}` : '';
  console.log(`  ${label.padEnd(30)} ${values.map((v) => v.toFixed(1)).join(' / ')}${ratio}`);
}
process.exit(0);
