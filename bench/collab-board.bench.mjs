#!/usr/bin/env node
// Opening a big whiteboard in Chromium through the real server: a teacher page fills the class
// board with SHAPES geo shapes (sent by the tldraw-Yjs binding in <=600 KB updates) spread over
// pages of PER_PAGE (tldraw refuses more than 4000 shapes on one page), then a
// student opens the class page RUNS times in a fresh profile; each time we measure from
// navigation to the editor showing every shape. Before that, the same for an empty board of
// another class (navigation → editor mounted and usable). Prints medians and the spread (this
// 2-core machine is noisy). Issue 14's targets: empty board 1.5 s, 10,000 shapes 3 s.
import { launchChromium, logIn, postJson, quantile, startServer } from './support.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const SHAPES = Number(process.env.SHAPES ?? 10_000);
const PER_PAGE = Number(process.env.PER_PAGE ?? 2500);

async function login(browser, baseUrl, email) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  await logIn(page, baseUrl, email);
  return { page, context };
}

const countShapes = (page) =>
  page.evaluate(() => window.educloudBoard?.editor.store.query.records('shape').get().length ?? 0);

const server = await startServer();
const { baseUrl } = server;
const browser = await launchChromium();
try {
  const tokens = {};
  for (const [name, role] of [
    ['admin', 'teacher'],
    ['teacher', 'teacher'],
    ['student', 'student'],
  ]) {
    const r = await postJson(baseUrl, '/api/auth/signup', {
      email: `${name}@example.org`,
      password: 'long password',
      displayName: name,
      role,
    });
    tokens[name] = r.accessToken;
  }
  const c = await postJson(baseUrl, '/api/classes', { title: 'Big board' }, tokens.teacher);
  const classId = c.class.id;
  await postJson(
    baseUrl,
    `/api/invites/${c.class.inviteUrl.split('/join/')[1]}/join`,
    undefined,
    tokens.student,
  );

  const empty = await postJson(baseUrl, '/api/classes', { title: 'Empty board' }, tokens.teacher);
  await postJson(
    baseUrl,
    `/api/invites/${empty.class.inviteUrl.split('/join/')[1]}/join`,
    undefined,
    tokens.student,
  );
  const emptyTimes = [];
  for (let run = 0; run < RUNS; run++) {
    const student = await login(browser, baseUrl, 'student@example.org');
    const t0 = Date.now();
    await student.page.goto(`/classes/${empty.class.id}`);
    await student.page.locator('[data-testid="board-canvas"][data-ready="true"]').waitFor({
      timeout: 120_000,
    });
    emptyTimes.push(Date.now() - t0);
    await student.context.close();
  }
  emptyTimes.sort((a, b) => a - b);
  console.log(
    `open an empty board (navigation → editor ready): median ${quantile(emptyTimes, 0.5)} ms, ` +
      `min ${emptyTimes[0]} ms, max ${emptyTimes[emptyTimes.length - 1]} ms over ${RUNS} runs ` +
      `(target 1500 ms)`,
  );

  const teacher = await login(browser, baseUrl, 'teacher@example.org');
  await teacher.page.goto(`/classes/${classId}`);
  await teacher.page.locator('[data-testid="board-canvas"][data-ready="true"]').waitFor();
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
    await teacher.page.waitForTimeout(300);
  }
  console.log(
    `seeded ${SHAPES} shapes on ${pageIds.length} pages in ${Date.now() - seedStart} ms (teacher side)`,
  );

  await teacher.page.waitForTimeout(3000);
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const student = await login(browser, baseUrl, 'student@example.org');
    const t0 = Date.now();
    await student.page.goto(`/classes/${classId}`);
    await student.page.locator('[data-testid="board-canvas"][data-ready="true"]').waitFor({
      timeout: 120_000,
    });
    const deadline = Date.now() + 120_000;
    let seen = 0;
    while ((seen = await countShapes(student.page)) < SHAPES) {
      if (Date.now() > deadline) {
        const status = (p) =>
          p.evaluate(() =>
            document.querySelector('[data-testid="board-status"]')?.getAttribute('data-state'),
          );
        throw new Error(
          `student sees ${seen}/${SHAPES} shapes after 120 s (teacher ${await status(teacher.page)}, ` +
            `student ${await status(student.page)})`,
        );
      }
      await student.page.waitForTimeout(50);
    }
    times.push(Date.now() - t0);
    await student.context.close();
  }
  times.sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  console.log(
    `open a board of ${SHAPES} shapes (navigation → all shapes in the editor): median ${median} ms, ` +
      `min ${times[0]} ms, max ${times[times.length - 1]} ms over ${RUNS} runs (target 3000 ms)`,
  );
  await teacher.context.close();
} finally {
  await browser.close();
  await server.stop();
}
