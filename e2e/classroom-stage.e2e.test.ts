/**
 * The live room as a stage, in real Chromium through the built server: the teacher (1366×800)
 * presents the whiteboard; a student on a laptop (1366×800) and one on a phone (390×844) see
 * it on the teacher's page and follow the teacher to another page; the laptop student stops
 * following and stays where they are while the phone student keeps following. Nothing scrolls
 * sideways at either size, and the room's controls are reached and used with the keyboard.
 * With SCREENSHOTS_DIR set, it saves the stage at both sizes there (docs/ in the repository).
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  launchBrowser,
  logIn,
  newContext,
  recordPageErrors,
  unexpectedPageErrors,
} from './browser.js';
import { classWithStudents } from './class-setup.js';
import { chooseNoCamera } from './device-check.js';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer;
let browser: Browser;
let classId: string;
const pages: Record<string, Page> = {};
const pageErrors: Record<string, string[]> = {};

const laptop = { width: 1366, height: 800 };
const phone = { width: 390, height: 844 };

async function enterRoom(name: string, viewport: { width: number; height: number }) {
  const context = await newContext(browser, server.baseUrl, viewport);
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  pageErrors[name] = recordPageErrors(page);
  await logIn(page, `${name}@example.org`);
  await page.goto(`/classes/${classId}`);
  // No cameras: three simulcast encoders would starve this 2-core machine.
  await chooseNoCamera(page);
  await page.getByTestId('join-live').click();
  await page.locator('[data-testid="live-room"][data-status="joined"]').waitFor();
  pages[name] = page;
  return page;
}

const currentPage = (page: Page) =>
  page.evaluate(() => window.educloudBoard?.editor.getCurrentPageId() ?? null);

const boardReady = (page: Page) =>
  page
    .locator(
      '[data-testid="stage"][data-source="board"] [data-testid="board-canvas"][data-ready="true"]',
    )
    .waitFor();

async function teacherGoesTo(pageId: string, name: string) {
  await pages.teacher!.evaluate(
    ([id, n]) => {
      const editor = window.educloudBoard!.editor;
      const pid = id as ReturnType<typeof editor.getCurrentPageId>;
      if (!editor.getPage(pid)) editor.createPage({ id: pid, name: n });
      editor.setCurrentPage(pid);
    },
    [pageId, name],
  );
}

/** How often the board's editor ticked during the page's next ten frames. */
const boardTicks = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const editor = window.educloudBoard!.editor;
        let ticks = 0;
        const count = () => ticks++;
        editor.on('tick', count);
        let frames = 0;
        const frame = () => {
          if (++frames < 10) return requestAnimationFrame(frame);
          editor.off('tick', count);
          resolve(ticks);
        };
        requestAnimationFrame(frame);
      }),
  );

async function noSidewaysScroll(page: Page) {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    body: document.body.scrollWidth,
  }));
  expect(widths.scroll).toBe(widths.client);
  expect(widths.body).toBeLessThanOrEqual(widths.client);
}

/** Tabs through the page until an element with `testId` has focus; the number of presses. */
async function tabTo(page: Page, testId: string, max = 20): Promise<number> {
  const trail: string[] = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el?.getAttribute('data-testid') ?? `${el?.tagName}:${el?.getAttribute('aria-label')}`;
    });
    if (focused === testId) return i;
    trail.push(focused);
  }
  throw new Error(`${testId} not reached with Tab (went through ${trail.join(', ')})`);
}

async function screenshot(page: Page, file: string) {
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) await page.screenshot({ path: path.join(dir, file) });
}

beforeAll(async () => {
  server = await startServer();
  const set = await classWithStudents(server, 'Geometry 101', ['sam', 'pia']);
  classId = set.classId;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('puts the presented board on the students’ stages and has them follow the teacher', async () => {
  const teacher = await enterRoom('teacher', laptop);
  await teacher.getByTestId('start-class').click();
  const sam = await enterRoom('sam', laptop);
  const pia = await enterRoom('pia', phone);

  // The teacher presents from their second page: the students' stages show it, on that page.
  await teacher.getByTestId('present-board').click();
  await boardReady(teacher);
  await teacherGoesTo('page:second', 'Triangles');
  for (const student of [sam, pia]) {
    await boardReady(student);
    await expect.poll(() => currentPage(student), { timeout: 30_000 }).toBe('page:second');
    expect(await student.getByTestId('follow-toggle').getAttribute('data-following')).toBe('true');
    // On stage, the board draws frames (off stage it does not: see the notes below).
    expect(await boardTicks(student)).toBeGreaterThan(0);
  }
  await pages.teacher!.evaluate(() => {
    const editor = window.educloudBoard!.editor;
    editor.createShapes([
      { type: 'geo', x: 100, y: 100, props: { w: 300, h: 200, geo: 'triangle' } },
    ]);
  });

  // The teacher moves to another page; both students follow.
  await teacherGoesTo('page:third', 'Circles');
  for (const student of [sam, pia]) {
    await expect.poll(() => currentPage(student), { timeout: 30_000 }).toBe('page:third');
  }

  // Sam stops following: when the teacher goes back, Pia follows and Sam stays.
  await sam.getByTestId('follow-toggle').click();
  expect(await sam.getByTestId('follow-toggle').getAttribute('data-following')).toBe('false');
  await teacherGoesTo('page:second', 'Triangles');
  await expect.poll(() => currentPage(pia), { timeout: 30_000 }).toBe('page:second');
  expect(await currentPage(sam)).toBe('page:third');
  expect(await sam.getAttribute('[data-testid="stage"]', 'data-source')).toBe('board');

  // One click and Sam is with the teacher again.
  await sam.getByTestId('follow-toggle').click();
  await expect.poll(() => currentPage(sam), { timeout: 30_000 }).toBe('page:second');

  await screenshot(teacher, 'stage-1366x800.png');
  await screenshot(pia, 'stage-390x844.png');
});

it('never scrolls sideways, at 1366×800 or 390×844', async () => {
  for (const name of ['teacher', 'sam', 'pia']) await noSidewaysScroll(pages[name]!);
  // The phone's side panel is a drawer: open, still no sideways scroll, closed again.
  const pia = pages.pia!;
  await pia.getByTestId('toggle-panel').click();
  await pia.getByTestId('side-drawer').getByTestId('tab-chat').click();
  await pia.getByTestId('side-drawer').getByTestId('chat-input').waitFor();
  await noSidewaysScroll(pia);
  await pia.keyboard.press('Escape');
  await pia.getByTestId('side-drawer').waitFor({ state: 'hidden' });
});

it('reaches and runs the controls from the keyboard', async () => {
  for (const name of ['sam', 'pia']) {
    const page = pages[name]!;
    // From the top of the room: the skip link leads past the board to the controls.
    // As after joining: the room itself has the focus.
    await page.getByTestId('live-room').focus();

    await tabTo(page, 'skip-to-controls', 3);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('toggle-mic');
    await tabTo(page, 'toggle-hand');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="toggle-hand"][aria-pressed="true"]').waitFor();
    await tabTo(page, 'leave-live');
    // Shortcuts: Alt+H lowers the hand again, Alt+/ lists the shortcuts.
    await page.keyboard.press('Alt+KeyH');
    await page.locator('[data-testid="toggle-hand"][aria-pressed="false"]').waitFor();
    await page.keyboard.press('Alt+Slash');
    await page.getByTestId('shortcuts-dialog').getByText('Alt + M').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts-dialog').waitFor({ state: 'hidden' });
  }
  // Alt+M mutes Sam's microphone.
  const sam = pages.sam!;
  const micOn = () => sam.evaluate(() => window.educloudLive!.snapshot().localPaused.mic !== true);
  expect(await micOn()).toBe(true);
  await sam.keyboard.press('Alt+KeyM');
  await expect.poll(micOn).toBe(false);
  for (const [name, errors] of Object.entries(pageErrors)) {
    expect(unexpectedPageErrors(errors), name).toEqual([]);
  }
});

it('puts the presented notes on the students’ stages', async () => {
  const { teacher, sam, pia } = pages as Record<'teacher' | 'sam' | 'pia', Page>;
  await teacher.getByTestId('present-notes').click();
  const teacherNotes = teacher.getByTestId('stage-notes').getByTestId('notes-content');
  await teacherNotes.click();
  await teacher.keyboard.type('The angles of a triangle add up to 180 degrees.');
  for (const student of [sam, pia]) {
    await student.locator('[data-testid="stage"][data-source="notes"]').waitFor();
    await expect(student.getByTestId('stage-presenting').textContent()).resolves.toBe(
      'teacher presents the notes',
    );
    const notes = student.getByTestId('stage-notes').getByTestId('notes-content');
    await expect
      .poll(() => notes.textContent(), { timeout: 30_000 })
      .toContain('The angles of a triangle add up to 180 degrees.');
    expect(await notes.isVisible()).toBe(true);
    expect(await student.getByTestId('stage-board').isVisible()).toBe(false);
    // The board, still mounted off stage, has stopped its frame loop.
    expect(await boardTicks(student)).toBe(0);
  }
});

/** The name on the stage's speaker tile ("P" for the initial, then "pia"). */
const onStage = (page: Page) =>
  page.locator('[data-testid="stage"][data-source="speaker"] [data-testid="stage-speaker"]');

it('puts a pinned tile on the stage', async () => {
  const { teacher, sam } = pages as Record<'teacher' | 'sam', Page>;
  // Nothing presented: Sam's stage shows a person, whoever Sam pins.
  await teacher.getByTestId('stop-presenting').click();
  await onStage(sam).waitFor();
  await sam.getByTestId('pin-pia').click();
  expect(await sam.getByTestId('pin-pia').getAttribute('aria-pressed')).toBe('true');
  await expect.poll(() => onStage(sam).textContent()).toContain('pia');
  expect(await onStage(sam).textContent()).not.toContain('teacher');
  // Another pin replaces the first.
  await sam.getByTestId('pin-teacher').click();
  await expect.poll(() => onStage(sam).textContent()).toContain('teacher');
  expect(await onStage(sam).textContent()).not.toContain('pia');
  expect(await sam.getByTestId('pin-pia').getAttribute('aria-pressed')).toBe('false');
  await sam.getByTestId('pin-pia').click();
});

it('switches between the speaker view and the gallery view', async () => {
  const sam = pages.sam!;
  const box = async (testId: string) => (await sam.getByTestId(testId).boundingBox())!;
  const tiles = sam.getByTestId('participant-tiles');

  // Speaker view on a laptop: the stage, the tiles in a column beside it.
  expect(await sam.getByTestId('live-room').getAttribute('data-view')).toBe('speaker');
  expect(await sam.getByTestId('stage').isVisible()).toBe(true);
  expect(await tiles.getAttribute('data-layout')).toBe('column');
  expect((await box('tile-teacher')).x).toBe((await box('tile-pia')).x);

  // Gallery view: no stage, everyone side by side in a grid, larger than in the column.
  const columnWidth = (await box('tile-pia')).width;
  await sam.getByTestId('toggle-view').click();
  await sam.locator('[data-testid="live-room"][data-view="gallery"]').waitFor();
  await sam.getByTestId('stage').waitFor({ state: 'hidden' });
  expect(await tiles.getAttribute('data-layout')).toBe('grid');
  const [t, p, self] = [await box('tile-teacher'), await box('tile-pia'), await box('tile-self')];
  expect(t.y).toBe(p.y);
  expect(p.y).toBe(self.y);
  expect(t.x).toBeLessThan(p.x);
  expect(p.width).toBeGreaterThan(columnWidth);

  // Back to the speaker view, with the pinned tile still on stage.
  await sam.getByTestId('toggle-view').click();
  await sam.locator('[data-testid="live-room"][data-view="speaker"]').waitFor();
  await onStage(sam).waitFor();
  expect(await onStage(sam).textContent()).toContain('pia');
  expect(await tiles.getAttribute('data-layout')).toBe('column');
  for (const [name, errors] of Object.entries(pageErrors)) {
    expect(unexpectedPageErrors(errors), name).toEqual([]);
  }
});
