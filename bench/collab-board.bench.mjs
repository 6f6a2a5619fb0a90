#!/usr/bin/env node
// Opening a whiteboard in Chromium through the real server, navigation → editor ready: an
// empty board, then a board of SHAPES geo shapes spread over pages of PER_PAGE (tldraw refuses
// more than 4000 shapes on one page), seeded by a teacher page through the tldraw-Yjs binding.
// A student opens the class page RUNS times, each time in a fresh profile.
//
// Before/after: with BEFORE=<path of another built checkout> (e.g. a worktree of main, after
// `npx tsc -b && npm run build -w @educloud/web` there) the same steps run against that
// checkout's server and web client too, alternating run by run so that both see the same load
// on this shared machine; the ratios are after/before. Without BEFORE only this checkout runs.
//
// Timed: navigation until the editor is mounted with every shape and the page draws a frame
// (the page's clock at that frame), and as this script observed it (its polling included).
// Also printed: the median of each step of the page's `board:*` performance marks
// (web/src/collab/board-timing.ts; a checkout without them shows none), the median length of
// the stages between them (ws-open→synced is the first sync's decoding), and the load average.
// Issue 14's targets: empty board 1500 ms, 10,000 shapes 3000 ms.
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

const RUNS = Number(process.env.RUNS ?? 5);
const SHAPES = Number(process.env.SHAPES ?? 10_000);
const PER_PAGE = Number(process.env.PER_PAGE ?? 2500);
// WARM=1: each student opens the board twice in the same profile; the second is reported apart.
const WARM = process.env.WARM === '1';
const steps = ['code', 'connecting', 'ws-open', 'synced', 'store', 'editor', 'usable', 'seen'];
const intervals = [
  ['ws-open', 'synced'],
  ['synced', 'store'],
  ['store', 'editor'],
  ['editor', 'usable'],
];

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function login(browser, baseUrl, email) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  // This machine is shared: a page can take far longer than playwright's default 30 s.
  page.setDefaultTimeout(300_000);
  await logIn(page, baseUrl, email);
  return { page, context };
}

const countShapes = (page) =>
  page.evaluate(() => window.educloudBoard?.editor.store.query.records('shape').get().length ?? 0);

const boardMarks = (page) =>
  page.evaluate(() =>
    Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('board:'))
        .map((m) => [m.name.slice('board:'.length), m.startTime]),
    ),
  );

async function joinClass(baseUrl, tokens, title) {
  const c = await postJson(baseUrl, '/api/classes', { title }, tokens.teacher);
  await postJson(
    baseUrl,
    `/api/invites/${c.class.inviteUrl.split('/join/')[1]}/join`,
    undefined,
    tokens.student,
  );
  return c.class.id;
}

/** Accounts, an empty class and a class whose board holds SHAPES shapes. */
async function prepare(target, browser) {
  const { baseUrl } = target.server;
  const tokens = {};
  // The first account becomes the administrator: not one of ours.
  for (const [name, role] of [
    ['admin', 'teacher'],
    ['teacher', 'teacher'],
    ['student', 'student'],
  ]) {
    tokens[name] = (await signUp(baseUrl, name, role)).accessToken;
  }
  target.emptyClass = await joinClass(baseUrl, tokens, 'Empty board');
  target.bigClass = await joinClass(baseUrl, tokens, 'Big board');

  const teacher = await login(browser, baseUrl, 'teacher@b.test');
  await teacher.page.goto(`/classes/${target.bigClass}`);
  await teacher.page.locator('[data-testid="board-canvas"][data-ready="true"]').waitFor({
    timeout: 300_000,
  });
  const seedStart = Date.now();
  const pageIds = await teacher.page.evaluate(
    ([shapes, perPage]) => {
      const editor = window.educloudBoard.editor;
      for (let p = 1; p < Math.ceil(shapes / perPage); p++) editor.createPage({ name: `Big ${p}` });
      return editor.getPages().map((page) => page.id);
    },
    [SHAPES, PER_PAGE],
  );
  for (let done = 0; done < SHAPES; done += 500) {
    await teacher.page.evaluate(
      ([from, n, perPage, ids]) => {
        const editor = window.educloudBoard.editor;
        editor.createShapes(
          Array.from({ length: n }, (_, k) => {
            const i = from + k;
            return {
              type: 'geo',
              parentId: ids[Math.floor(i / perPage)],
              x: (i % 50) * 120,
              y: Math.floor((i % perPage) / 50) * 100,
              props: { w: 100, h: 80 },
            };
          }),
        );
      },
      [done, Math.min(500, SHAPES - done), PER_PAGE, pageIds],
    );
    // The server's write budget (bytes per second per user) must keep up.
    await teacher.page.waitForTimeout(300);
  }
  console.log(
    `[${target.label}] seeded ${SHAPES} shapes on ${pageIds.length} pages in ` +
      `${Date.now() - seedStart} ms (teacher side)`,
  );
  // Until everything the teacher sent is stored and relayed.
  await teacher.page.waitForTimeout(3000);
  // An open board keeps drawing frames: left open, it would take CPU from every student run.
  await teacher.context.close();
}

/**
 * One student visit: ms from navigation until the board is usable, that is the editor is
 * mounted, holds `shapes` and the page draws a frame (its main thread is free to take input):
 * `ms` is the page's own clock at the first animation frame where that holds, `observedMs`
 * what this script saw, its polling (playwright retries at up to 500 ms intervals) and round
 * trips included.
 */
async function openBoard(target, browser, classId, shapes) {
  const { baseUrl } = target.server;
  const student = await login(browser, baseUrl, 'student@b.test');
  try {
    const cold = await visit(student.page, target, classId, shapes);
    // The same profile again: code and fonts from the HTTP cache (a warm-cache figure).
    if (WARM) cold.warm = await visit(student.page, target, classId, shapes);
    return cold;
  } finally {
    await student.context.close();
  }
}

async function visit(page, target, classId, shapes) {
  const t0 = Date.now();
  await page.goto(`/classes/${classId}`);
  try {
    const ready = await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="board-canvas"][data-ready="true"]') !== null &&
        (window.educloudBoard?.editor.store.query.records('shape').get().length ?? 0) >= n &&
        performance.now(),
      shapes,
      { polling: 'raf', timeout: 300_000 },
    );
    const ms = Math.round(await ready.jsonValue());
    const observedMs = Date.now() - t0;
    const marks = await boardMarks(page);
    marks.usable = ms;
    // When this script saw the board ready (its polling and round trips included).
    marks.seen = await page.evaluate(() => performance.now());
    return { ms, observedMs, marks };
  } catch (err) {
    const seen = await countShapes(page).catch(() => -1);
    throw new Error(`[${target.label}] student sees ${seen}/${shapes} shapes: ${err.message}`, {
      cause: err,
    });
  }
}

function report(label, what, samples, targetMs) {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const observed = samples.map((s) => s.observedMs).sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  console.log(
    `[${label}] ${what}: median ${median} ms, min ${times[0]} ms, max ${times.at(-1)} ms ` +
      `over ${times.length} runs (target ${targetMs} ms); as this script saw it (polling ` +
      `included): median ${quantile(observed, 0.5)} ms`,
  );
  const parts = steps
    .map((step) => {
      const at = samples.map((s) => s.marks[step]).filter((v) => v !== undefined);
      if (at.length === 0) return null;
      return `${step} ${Math.round(
        quantile(
          at.sort((a, b) => a - b),
          0.5,
        ),
      )}`;
    })
    .filter(Boolean);
  if (parts.length > 0)
    console.log(`[${label}]   median marks (ms after navigation): ${parts.join(', ')}`);
  // Each stage's own length, run by run (a difference of two medians would mix runs).
  const stages = intervals
    .map(([from, to]) => {
      const d = samples
        .filter((s) => s.marks[from] !== undefined && s.marks[to] !== undefined)
        .map((s) => s.marks[to] - s.marks[from])
        .sort((a, b) => a - b);
      return d.length === 0 ? null : `${from}→${to} ${Math.round(quantile(d, 0.5))}`;
    })
    .filter(Boolean);
  if (stages.length > 0)
    console.log(`[${label}]   median stage lengths (ms): ${stages.join(', ')}`);
  return median;
}

const targets = checkoutsToCompare();

const browser = await launchChromium();
try {
  for (const t of targets) {
    t.server = await startServer({}, t.checkout);
    t.empty = [];
    t.big = [];
  }
  console.log(`load average at start: ${load()}`);
  for (const t of targets) await prepare(t, browser);
  console.log(`load average after seeding: ${load()}`);
  for (let run = 0; run < RUNS; run++) {
    for (const t of targets) t.empty.push(await openBoard(t, browser, t.emptyClass, 0));
  }
  console.log(`load average after the empty-board runs: ${load()}`);
  const medians = {};
  for (const t of targets) {
    medians[t.label] = {
      empty: report(
        t.label,
        'open an empty board (navigation → editor ready, first frame)',
        t.empty,
        1500,
      ),
    };
    if (WARM) {
      report(
        t.label,
        'WARM CACHE, second visit: empty board',
        t.empty.map((s) => s.warm),
        1500,
      );
    }
  }
  for (let run = 0; run < RUNS; run++) {
    for (const t of targets) {
      // On this loaded machine one side may not get there at all: say so, keep the other.
      try {
        t.big.push(await openBoard(t, browser, t.bigClass, SHAPES));
      } catch (err) {
        console.log(`[${t.label}] a ${SHAPES}-shape open failed: ${err.message.split('\n')[0]}`);
      }
    }
  }
  console.log(`load average after the ${SHAPES}-shape runs: ${load()}`);
  for (const t of targets) {
    if (t.big.length === 0) continue;
    medians[t.label].big = report(
      t.label,
      `open a board of ${SHAPES} shapes (navigation → all shapes in the editor, first frame)`,
      t.big,
      3000,
    );
    if (WARM) {
      report(
        t.label,
        `WARM CACHE, second visit: ${SHAPES} shapes`,
        t.big.map((s) => s.warm),
        3000,
      );
    }
  }
  if (medians.before) {
    const ratio = (k) =>
      medians.before[k] && medians.after[k]
        ? `${(medians.after[k] / medians.before[k]).toFixed(2)}x`
        : 'n/a';
    console.log(
      `after/before: empty board ${ratio('empty')}, ${SHAPES} shapes ${ratio('big')} ` +
        `(medians; below 1 is faster)`,
    );
  }
} finally {
  await browser.close();
  for (const t of targets) await t.server?.stop();
}
