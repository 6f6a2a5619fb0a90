#!/usr/bin/env node
// The main-thread CPU of a student's page in the live class while the stage shows a person,
// not the board: the board stays mounted off stage (so putting it on stage is instant), and
// tldraw's frame loop used to keep running there. Measured with the page's own counter
// (CDP Performance.getMetrics TaskDuration: time the renderer's main thread was busy) over
// SECONDS of steady state, ROUNDS times, alternating with BEFORE=<another built checkout>.
// No cameras or microphones: only the page's own work is measured.
//
//   npx tsc -b && npm run build -w @educloud/web && \
//   flock /tmp/educloud-heavy.lock timeout 600 env BEFORE=/path node bench/collab-board-idle.bench.mjs
import os from 'node:os';
import {
  checkoutsToCompare,
  launchChromium,
  logIn,
  postJson,
  quantile,
  signUp,
  startServer,
} from './support.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 10);

const targets = checkoutsToCompare();

async function prepare(target) {
  const { baseUrl } = target.server;
  const tokens = {};
  for (const [name, role] of [
    ['admin', 'teacher'],
    ['teacher', 'teacher'],
    ['student', 'student'],
  ]) {
    tokens[name] = (await signUp(baseUrl, name, role)).accessToken;
  }
  const c = await postJson(baseUrl, '/api/classes', { title: 'Idle' }, tokens.teacher);
  const code = c.class.inviteUrl.split('/join/')[1];
  await postJson(baseUrl, `/api/invites/${code}/join`, undefined, tokens.student);
  target.classId = c.class.id;
}

/** One visit: join the live class without devices, wait for the board, measure busy time. */
async function measure(target, browser) {
  const { baseUrl } = target.server;
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1366, height: 800 },
  });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await logIn(page, baseUrl, 'student@b.test');
    await page.goto(`/classes/${target.classId}`);
    const join = page.getByTestId('join-live');
    await join.and(page.locator(':enabled')).waitFor();
    for (const label of ['Camera', 'Microphone']) {
      const select = page.getByRole('combobox', { name: label });
      if ((await select.count()) === 0) continue;
      await select.click();
      await page.getByRole('option', { name: `No ${label.toLowerCase()}` }).click();
      await page.getByRole('listbox').waitFor({ state: 'hidden' });
    }
    await join.click();
    await page.locator('[data-testid="live-room"][data-status="joined"]').waitFor();
    // The stage shows a person; the board is mounted behind it.
    await page.locator('[data-testid="stage"][data-source="speaker"]').waitFor();
    await page.waitForFunction(() => window.educloudBoard !== undefined);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.waitForTimeout(2000);
    const busy = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')
        .value;
    const b0 = await busy();
    const t0 = Date.now();
    await page.waitForTimeout(SECONDS * 1000);
    return (((await busy()) - b0) / ((Date.now() - t0) / 1000)) * 100;
  } finally {
    await context.close();
  }
}

const browser = await launchChromium();
try {
  for (const t of targets) {
    t.server = await startServer({}, t.checkout);
    t.samples = [];
    await prepare(t);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const cpu = await measure(t, browser);
      t.samples.push(cpu);
      console.log(
        `[${t.label}] round ${round + 1}: main thread busy ${cpu.toFixed(1)}% ` +
          `(load ${os.loadavg()[0].toFixed(2)})`,
      );
    }
  }
  const medians = {};
  for (const t of targets) {
    const sorted = [...t.samples].sort((a, b) => a - b);
    medians[t.label] = quantile(sorted, 0.5);
    console.log(
      `[${t.label}] board off stage, page main thread busy: median ${medians[t.label].toFixed(1)}% ` +
        `of a core over ${ROUNDS} rounds of ${SECONDS} s`,
    );
  }
  if (medians.before) {
    console.log(`after/before: ${(medians.after / medians.before).toFixed(2)}x (below 1 is less)`);
  }
} finally {
  await browser.close();
  for (const t of targets) await t.server?.stop();
}
