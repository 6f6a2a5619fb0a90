#!/usr/bin/env node
// Client CPU of a 6-person class, dynacast on against off, in the same run: a teacher and five
// students, each a Chromium page of our web client sending its fake camera (simulcast, as the
// client always does) and microphone, everyone receiving everyone. With dynacast, each
// publisher encodes only the layers some viewer's tile asks for, and pauses a camera nobody
// watches (MEDIA_LAST_N makes that happen; it is printed).
// Measured over SECONDS of steady state, once every page decodes every other camera: the CPU of
// the whole Chromium (all its processes: renderers' encoders and decoders, the GPU and audio
// processes), as % of one core; the time the six cameras' encoders worked (WebRTC's
// totalEncodeTime), which stays readable when the whole machine is saturated; and the bits
// the publishers send (from their outbound stats).
// Setups alternate ROUNDS times (this machine's load drifts); medians and on/off ratios.
//
//   npx tsc -b && npm run build -w @educloud/web && node bench/client-cpu-dynacast.bench.mjs
//   (ROUNDS=2 SECONDS=20 MEDIA_LAST_N=9)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
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
const LAST_N = process.env.MEDIA_LAST_N ?? '9';
const STUDENTS = ['s1', 's2', 's3', 's4', 's5'];
const WAIT = { polling: 200, timeout: 180_000 };

/** A page logged in by storing the API's session where the client keeps it. */
async function openPage(browser, url, name, classId) {
  const page = await loggedInPage(browser, url, name, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${url}/classes/${classId}`);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="join-live"]:not([disabled])') !== null,
    undefined,
    WAIT,
  );
  await page.getByTestId('join-live').click();
  await page.locator('[data-testid="live-room"][data-status="joined"]').waitFor(WAIT);
  return page;
}

/** Video bytes sent and seconds spent encoding them, all layers of the page's camera. */
const sent = (page) =>
  page.evaluate(async () => {
    const stats = ((await window.educloudLive?.outboundStats()) ?? []).filter(
      (s) => s.kind === 'video',
    );
    return {
      bytes: stats.reduce((n, s) => n + s.bytesSent, 0),
      encodeSeconds: stats.reduce((n, s) => n + s.totalEncodeTime, 0),
    };
  });

async function measure(dynacast) {
  const server = await startServer({ MEDIA_DYNACAST: String(dynacast), MEDIA_LAST_N: LAST_N });
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
    const pages = [await openPage(browser, url, 'teacher', classId)];
    await pages[0].getByTestId('start-class').click();
    pages.push(
      ...(await Promise.all(STUDENTS.map((name) => openPage(browser, url, name, classId)))),
    );
    // Steady state: every page decodes the five other cameras.
    for (const page of pages) {
      await page.waitForFunction(
        async () => {
          const stats = (await window.educloudLive?.inboundStats()) ?? [];
          return stats.filter((x) => x.kind === 'video' && x.framesDecoded > 0).length >= 5;
        },
        undefined,
        WAIT,
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
    const pid = process.pid;
    const sent0 = await Promise.all(pages.map(sent));
    const t0 = performance.now();
    const ticks0 = chromiumTicks(pid);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const secs = (performance.now() - t0) / 1000;
    const cpu = ((chromiumTicks(pid) - ticks0) / 100 / secs) * 100;
    const sent1 = await Promise.all(pages.map(sent));
    const delta = (key) => sent1.reduce((n, x, i) => n + x[key] - sent0[i][key], 0);
    const kbps = delta('bytes') * (8 / 1000 / secs);
    const encodeCpu = (delta('encodeSeconds') / secs) * 100;
    return { cpu, encodeCpu, kbps };
  } finally {
    await browser.close();
    await server.stop();
  }
}

// Every fake camera plays a 640x360 clip at 15 fps (two simulcast layers in Chromium) rather
// than the 640x480 30 fps pattern, so six pages reach a steady state on this machine.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'educloud-cpu-bench-'));
const clip = path.join(tmp, 'camera.y4m');
execFileSync('ffmpeg', [
  ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
  ...['-i', 'testsrc=size=640x360:rate=15', '-t', '2', '-pix_fmt', 'yuv420p', clip],
]);
const runs = { on: [], off: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
    const r = await measure(name === 'on');
    runs[name].push(r);
    console.log(
      `dynacast ${name} #${round + 1}: Chromium CPU ${r.cpu.toFixed(1)}% of a core ` +
        `(encoding ${r.encodeCpu.toFixed(1)}%), ` +
        `publishers send ${Math.round(r.kbps)} kbit/s of video`,
    );
  }
}
const med = (list, pick) =>
  quantile(
    list.map(pick).sort((a, b) => a - b),
    0.5,
  );
const row = (label, pick, digits) => {
  const on = med(runs.on, pick);
  const off = med(runs.off, pick);
  console.log(
    `  ${label.padEnd(28)} ${on.toFixed(digits)} / ${off.toFixed(digits)} = ${(on / off).toFixed(2)}`,
  );
};
console.log(
  `\n6-person class (MEDIA_LAST_N=${LAST_N}), medians of ${ROUNDS}, dynacast on / off = ratio:`,
);
row('Chromium CPU (% of a core)', (r) => r.cpu, 1);
row('encoding (% of a core)', (r) => r.encodeCpu, 1);
row('publishers video kbit/s', (r) => r.kbps, 0);
rmSync(tmp, { recursive: true, force: true });
process.exit(0);
