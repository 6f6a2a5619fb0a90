/**
 * Recording a live class end to end: a teacher and a student in real Chromium (fake camera and
 * microphone), a screen share, chat and shapes on the board while the teacher records; once
 * stopped, the replay page plays within 10 s, and at a chosen moment it shows the board as it
 * was live then (shapes compared) and the chat sent up to then.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { logInByApi } from './api-login.js';
import { launchBrowser, newContext, recordPageErrors, unexpectedPageErrors } from './browser.js';
import { classWithStudents } from './class-setup.js';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer;
let browser: Browser;
let classId: string;
let tokens: Record<string, string>;
const t0 = Date.now();
// Progress lines: on a loaded machine they show where the time goes.
const step = (what: string) => console.error(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);

/**
 * A logged-in page (API log-in: no form, no dashboard load) whose fake camera is small: two
 * encoders and a screen share on a 2-core machine.
 */
async function newPage(email: string): Promise<Page> {
  const context = await newContext(browser, server.baseUrl);
  await context.addInitScript(() => {
    const devices = navigator.mediaDevices;
    const open = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (c) =>
      open(c?.video ? { ...c, video: { width: 320, height: 240, frameRate: 15 } } : c);
  });
  await logInByApi(context, server, email);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(60_000);
  return page;
}

async function enterRoom(email: string): Promise<Page> {
  const page = await newPage(email);
  await page.goto(`/classes/${classId}`);
  // Enabled once the device check has the fake camera and microphone.
  await page.getByTestId('join-live').click();
  await page.locator('[data-testid="live-room"][data-status="joined"]').waitFor();
  // The board is mounted (hidden until presented on the stage): its editor takes shapes.
  await page
    .locator('[data-testid="board-canvas"][data-ready="true"]')
    .waitFor({ state: 'attached' });
  return page;
}

/**
 * The tracks of a recording whose replay file (written while recording) holds media beyond its
 * header, as `<trackNo> has media` sorted; the others as `<trackNo> waits`.
 */
async function recordedTracks(recordingId: string): Promise<string[]> {
  const dir = join(server.dataDir, 'recordings', recordingId);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) =>
    n.endsWith('.webm.part'),
  );
  const out = await Promise.all(
    names.map(async (n) => {
      const { size } = await stat(join(dir, n));
      // A WebM header is about 450 bytes; the first frames take it past 1 kB.
      return `${n.split('-')[0]} ${size > 1024 ? 'has media' : 'waits'}`;
    }),
  );
  return out.sort();
}

/** What is compared between the live board and the replay: each shape's id, place and props. */
type ShapeView = { id: string; type: string; x: number; y: number; props: unknown };
const byId = (a: ShapeView, b: ShapeView) => a.id.localeCompare(b.id);

/** The shapes on the live board, sorted by id. */
function liveShapes(page: Page): Promise<ShapeView[]> {
  return page.evaluate(() =>
    window
      .educloudBoard!.editor.getCurrentPageShapes()
      .map((s) => ({ id: s.id as string, type: s.type, x: s.x, y: s.y, props: s.props }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  );
}

async function addShape(page: Page, geo: string, x: number) {
  await page.evaluate(
    ({ geo, x }) => {
      window.educloudBoard!.editor.createShape({
        type: 'geo',
        x,
        y: 100,
        props: { geo, w: 100, h: 80 },
      });
    },
    { geo, x },
  );
}

async function say(page: Page, text: string) {
  if (!(await page.getByTestId('chat-input').isVisible()))
    await page.getByTestId('tab-chat').click();
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
  await page.getByTestId('chat-panel').getByText(text).first().waitFor();
}

beforeAll(async () => {
  server = await startServer();
  ({ classId, tokens } = await classWithStudents(server, 'Recorded class', ['sam']));
  browser = await launchBrowser();
  // Generous: on the shared machine the signups and the browser start can take a minute.
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 120_000);

it(
  'records the class and replays it in step with the board and the chat',
  { timeout: 240_000 },
  async () => {
    step('test starts');
    const teacher = await enterRoom('teacher@example.org');
    step('teacher in the room');
    await teacher.getByTestId('start-class').click();
    await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
    const student = await enterRoom('sam@example.org');
    step('student in the room');
    await teacher.getByTestId('toggle-screen').click();
    step('screen shared');

    await teacher.getByTestId('start-recording').click();
    await student.getByTestId('recording-indicator').waitFor({ timeout: 30_000 });
    step('student sees the indicator');

    // Every track has reached the disk (cameras and the screen once a key frame came): what
    // the replay shows at the chosen moment was recorded, not still being set up.
    const { recordings } = await server.api(
      'GET',
      `/api/classes/${classId}/recordings`,
      undefined,
      tokens.teacher,
    );
    const recording = recordings.find((r: { kind: string }) => r.kind === 'class');
    await expect
      .poll(() => recordedTracks(recording.id), { timeout: 30_000 })
      .toEqual(['t1', 't2', 't3', 't4', 't5'].map((t) => `${t} has media`));
    step('every track written');

    await addShape(teacher, 'rectangle', 100);
    await say(teacher, 'Welcome to the recorded class');
    await addShape(student, 'ellipse', 300);
    await say(student, 'Hello from Sam');
    // The teacher sees the student's shape: the server holds both shapes and both messages.
    await expect.poll(async () => (await liveShapes(teacher)).length, { timeout: 30_000 }).toBe(2);
    const chosen = Date.now();
    const shapesThen = await liveShapes(teacher);
    step('two shapes, two messages: the chosen moment');
    // After the chosen moment: a third shape and a third message the replay must not show then.
    await addShape(teacher, 'star', 500);
    await say(teacher, 'A message after the chosen moment');
    await expect.poll(async () => (await liveShapes(student)).length, { timeout: 30_000 }).toBe(3);
    // The teacher presents the board and turns to a new page: the replay shows that page then.
    await teacher.getByTestId('present-board').click();
    await teacher.evaluate(() => {
      const editor = window.educloudBoard!.editor;
      const pid = 'page:recorded' as ReturnType<typeof editor.getCurrentPageId>;
      if (!editor.getPage(pid)) editor.createPage({ id: pid, name: 'Recorded' });
      editor.setCurrentPage(pid);
    });
    // The student follows: the server has the presenter's new page.
    await expect
      .poll(() => student.evaluate(() => window.educloudBoard?.editor.getCurrentPageId()), {
        timeout: 30_000,
      })
      .toBe('page:recorded');
    const turned = Date.now();
    step('page turned while presenting');
    await new Promise((r) => setTimeout(r, 1500));

    await teacher.getByTestId('stop-recording').click();
    const stoppedAt = Date.now();
    await teacher.getByTestId('start-recording').waitFor();
    step('stopped');
    const list = await server.api(
      'GET',
      `/api/classes/${classId}/recordings`,
      undefined,
      tokens.teacher,
    );
    const rec = list.recordings.find((r: { kind: string }) => r.kind === 'class');
    expect(rec).toBeTruthy();

    // Within 10 s of "stop" the replay page plays the recording (it waits while it is prepared).
    // The teacher's page goes from the live room to the replay (the student's closes): on the
    // shared machine a third browser page would wait for CPU behind the live media.
    await student.context().close();
    const viewer = teacher;
    const viewerErrors = recordPageErrors(viewer);
    await viewer.goto(`/classes/${classId}/recordings/${rec.id}`);
    await viewer.getByTestId('class-replay').waitFor({ timeout: 60_000 });
    step(`replay shown ${Date.now() - stoppedAt} ms after stop`);
    await viewer.getByTestId('replay-play').click();
    const speakerTime = () =>
      viewer.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="replay-speaker"]');
        return v !== null && v.readyState >= 2 ? v.currentTime : -1;
      });
    await expect
      .poll(speakerTime, { timeout: 60_000 })
      .toBeGreaterThan(0)
      .catch(async (err: unknown) => {
        // Why the video did not play: its element's state and what the server answers for it.
        console.error(
          await viewer.evaluate(async () => {
            const v = document.querySelector<HTMLVideoElement>('[data-testid="replay-speaker"]');
            if (!v) return 'no speaker video element';
            const res = await fetch(v.currentSrc || v.src, { headers: { range: 'bytes=0-99' } });
            return JSON.stringify({
              src: v.currentSrc || v.src,
              readyState: v.readyState,
              networkState: v.networkState,
              error: v.error && { code: v.error.code, message: v.error.message },
              paused: v.paused,
              fetched: { status: res.status, type: res.headers.get('content-type') },
            });
          }),
        );
        throw err;
      });
    const first = await speakerTime();
    await expect.poll(speakerTime, { timeout: 30_000 }).toBeGreaterThan(first);
    const playingAfter = Date.now() - stoppedAt;
    step(`replay playing ${playingAfter} ms after stop`);
    expect(playingAfter).toBeLessThan(10_000);
    // Paused, to look at one moment. A short recording may have played to its end meanwhile
    // (the button then reads Play again): clicked only while it reads Pause.
    const playButton = viewer.getByTestId('replay-play');
    await expect
      .poll(async () => {
        if ((await playButton.getAttribute('aria-label')) === 'Pause') await playButton.click();
        return playButton.getAttribute('aria-label');
      })
      .toBe('Play');

    // Everything was recorded: both cameras and microphones, and the screen.
    const replay = await server.api(
      'GET',
      `/api/classes/${classId}/recordings/${rec.id}/replay`,
      undefined,
      tokens.teacher,
    );
    const recorded = replay.manifest.tracks
      .filter((t: { file: string | null }) => t.file)
      .map((t: { name: string; kind: string; source: string }) => `${t.name} ${t.kind} ${t.source}`)
      .sort();
    expect(recorded).toEqual([
      'sam audio mic',
      'sam video camera',
      'teacher audio mic',
      'teacher video camera',
      'teacher video screen',
    ]);

    // At the chosen moment: the board as it was live, and the chat sent up to then.
    await viewer.evaluate(
      (at) => window.educloudReplay!.seek(at - window.educloudReplay!.startedAt),
      chosen,
    );
    await viewer
      .locator(`[data-testid="replay-board"][data-board-at="${chosen}"]`)
      .waitFor({ timeout: 30_000 })
      .catch(async (err: unknown) => {
        console.error({
          chosen,
          errors: viewerErrors,
          body: (await viewer.locator('body').innerText()).slice(0, 2000),
          board: await viewer.evaluate(() => {
            const b = document.querySelector('[data-testid="replay-board"]');
            return (
              b && { at: b.getAttribute('data-board-at'), ids: b.getAttribute('data-shape-ids') }
            );
          }),
        });
        throw err;
      });
    const replayShapes = await viewer.evaluate(() =>
      window
        .educloudReplay!.board()!
        .records.filter((r) => r.typeName === 'shape')
        .map((r) => {
          const s = r as unknown as {
            id: string;
            type: string;
            x: number;
            y: number;
            props: unknown;
          };
          return { id: s.id, type: s.type, x: s.x, y: s.y, props: s.props };
        }),
    );
    expect(replayShapes.sort(byId)).toEqual(shapesThen);
    // The board shown (its shape ids, in whatever order the page lists them).
    const shownIds = (await viewer.getByTestId('replay-board').getAttribute('data-shape-ids'))!;
    expect(shownIds.split(',').sort()).toEqual(shapesThen.map((s) => s.id).sort());
    expect(await viewer.getByTestId('replay-chat-item').allTextContents()).toEqual([
      'teacher: Welcome to the recorded class',
      'sam: Hello from Sam',
    ]);
    // The screen share was recorded and is shown.
    expect(await viewer.getByTestId('replay-screen').count()).toBe(1);
    // After the page was turned, the replay's board shows the presenter's page, and the
    // timeline marks the turn.
    await viewer.evaluate(
      (at) => window.educloudReplay!.seek(at - window.educloudReplay!.startedAt),
      turned + 1000,
    );
    await viewer
      .locator('[data-testid="replay-board"][data-page-id="page:recorded"]')
      .waitFor({ timeout: 30_000 });
    expect(
      await viewer.locator('.MuiSlider-markLabel', { hasText: 'Page' }).count(),
    ).toBeGreaterThanOrEqual(1);
    // The replay ran cleanly through playing, pausing and seeking back.
    expect(unexpectedPageErrors(viewerErrors)).toEqual([]);
  },
);
