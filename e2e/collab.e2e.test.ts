/**
 * A teacher and a student share the class whiteboard and notes in two real Chromium profiles
 * through the built server: each sees the other's shapes and cursor, a PDF becomes one page
 * background per PDF page for both, an image and exports (PNG, SVG, Markdown) work, notes typed
 * by one appear for the other, a lock makes the student's board and notes read-only, and nothing
 * is fetched from outside 127.0.0.1 (tldraw's fonts, icons and translations, pdf.js's worker all
 * come from our bundle).
 *
 * Test ids (web/src/collab): class-collab, tab-board, tab-notes, board (data-locked),
 * board-status / notes-status (data-state), board-canvas (data-ready), board-import-pdf,
 * board-export-png, board-export-svg, board-lock-toggle, board-locked, notes-content,
 * notes-toolbar, notes-export-md, notes-lock-toggle, notes-locked, board-reset,
 * board-reset-confirm, board-undo-reset (and notes-…).
 * Debug handle: window.educloudBoard = { editor, binding, importPdf }.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TLGeoShape, TLImageShape, TLPageId, TLShapeId, TLShapePartial } from 'tldraw';
import {
  launchBrowser,
  newContext,
  recordForeignRequests,
  recordPageErrors,
  unexpectedPageErrors,
  logIn,
} from './browser.js';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer;
let browser: Browser;
let classId: string;
const contexts: BrowserContext[] = [];
const foreign: string[][] = [];
const errors: Record<string, string[]> = {};
let teacher: Page;
let student: Page;

const api = (path: string, body: unknown, token?: string) => server.api('POST', path, body, token);

/** A small valid PDF with one filled rectangle per page (no fonts: nothing to fetch). */
function makePdf(colors: [number, number, number][]): Buffer {
  const objects: string[] = [];
  const pageIds = colors.map((_, i) => 3 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${colors.length} >>`;
  colors.forEach(([r, g, b], i) => {
    const pageId = pageIds[i]!;
    const content = `${r} ${g} ${b} rg 40 40 320 220 re f`;
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents ${pageId + 1} 0 R /Resources << >> >>`;
    objects[pageId + 1] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) {
    out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  }
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

async function openClass(name: string, email: string): Promise<Page> {
  const context = await newContext(browser, server.baseUrl);
  contexts.push(context);
  foreign.push(recordForeignRequests(context));
  // When the page first asks for a camera or microphone (the live panel's device check).
  await context.addInitScript(() => {
    const media = navigator.mediaDevices;
    const open = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => {
      (window as { firstMediaAt?: number }).firstMediaAt ??= performance.now();
      return open(constraints);
    };
  });
  const page = await context.newPage();
  errors[name] = recordPageErrors(page);
  await logIn(page, email);
  const t0 = Date.now();
  await page.goto(`/classes/${classId}`);
  await page.locator('[data-testid="board-canvas"][data-ready="true"]').waitFor({
    timeout: 30_000,
  });
  await page.locator('[data-testid="board-status"][data-state="synced"]').waitFor();
  console.log(`${name}: board ready ${Date.now() - t0} ms after navigation`);
  return page;
}

/** Shapes on the board's current page, as `type/geo` strings, sorted. */
function shapes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const editor = window.educloudBoard!.editor;
    return editor
      .getCurrentPageShapes()
      .map((s) => `${s.type}/${(s.props as { geo?: string }).geo ?? ''}`)
      .sort();
  });
}

beforeAll(async () => {
  server = await startServer();
  const tokens: Record<string, string> = {};
  for (const [name, role] of [
    ['admin', 'teacher'],
    ['teacher', 'teacher'],
    ['student', 'student'],
  ] as const) {
    const r = await api('/api/auth/signup', {
      email: `${name}@example.org`,
      password: 'long password',
      displayName: name === 'teacher' ? 'Ada Teacher' : name === 'student' ? 'Sam Student' : name,
      role,
    });
    tokens[name] = r.accessToken;
  }
  const c = await api('/api/classes', { title: 'Shared board' }, tokens.teacher);
  classId = c.class.id;
  const code = c.class.inviteUrl.split('/join/')[1];
  await api(`/api/invites/${code}/join`, undefined, tokens.student);
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.close();
});

it('two members draw on the same board and see each other', async () => {
  const opened = Date.now();
  teacher = await openClass('teacher', 'teacher@example.org');
  student = await openClass('student', 'student@example.org');
  console.log(`both boards ready after ${Date.now() - opened} ms`);

  // The teacher draws a rectangle with the mouse (the geo tool draws rectangles by default).
  await teacher.getByTestId('board-canvas').scrollIntoViewIfNeeded();
  await teacher.evaluate(() => window.educloudBoard!.editor.setCurrentTool('geo'));
  const canvas = await teacher.getByTestId('board-canvas').boundingBox();
  const x = canvas!.x + canvas!.width / 2 - 200;
  const y = canvas!.y + canvas!.height / 2 - 100;
  await teacher.mouse.move(x, y);
  await teacher.mouse.down();
  await teacher.mouse.move(x + 150, y + 100, { steps: 10 });
  await teacher.mouse.up();

  // The student adds an ellipse through the editor API.
  await student.evaluate(() => {
    window.educloudBoard!.editor.createShape({
      type: 'geo',
      x: 400,
      y: 100,
      props: { geo: 'ellipse', w: 120, h: 80 },
    });
  });

  const both = ['geo/ellipse', 'geo/rectangle'];
  await expect.poll(() => shapes(teacher), { timeout: 15_000 }).toEqual(both);
  await expect.poll(() => shapes(student), { timeout: 15_000 }).toEqual(both);

  // The teacher's cursor and name show on the student's board.
  await teacher.mouse.move(x + 300, y + 50, { steps: 5 });
  await expect
    .poll(
      () =>
        student.evaluate(() =>
          window.educloudBoard!.editor.getCollaborators().map((c) => c.userName),
        ),
      { timeout: 15_000 },
    )
    .toContain('Ada Teacher');
});

it('opens the camera and microphone only once the board is up', async () => {
  const firstMedia = () =>
    student.evaluate(() => ({
      media: (window as { firstMediaAt?: number }).firstMediaAt ?? null,
      board: performance.getEntriesByName('board:editor', 'mark')[0]?.startTime ?? null,
    }));
  // The device check comes by itself (the page idle after the board), not only on request.
  await student.getByTestId('join-live').waitFor({ timeout: 20_000 });
  await expect.poll(async () => (await firstMedia()).media, { timeout: 20_000 }).not.toBeNull();
  const { media, board } = await firstMedia();
  expect(board).not.toBeNull();
  expect(media!).toBeGreaterThan(board!);
});

it('turns a PDF into page backgrounds for both', async () => {
  await teacher.getByTestId('board-import-pdf').setInputFiles({
    name: 'slides.pdf',
    mimeType: 'application/pdf',
    buffer: makePdf([
      [0, 0, 1],
      [1, 0, 0],
    ]),
  });
  const backgrounds = (page: Page) =>
    page.evaluate(() => {
      const editor = window.educloudBoard!.editor;
      return editor
        .getPages()
        .map((p) => {
          const ids = [...editor.getPageShapeIds(p.id)];
          const bg = ids
            .map((id) => editor.getShape(id)!)
            .find((s) => s.type === 'image' && s.isLocked && s.meta.pdfBackground) as
            TLImageShape | undefined;
          const asset = bg?.props.assetId ? editor.getAsset(bg.props.assetId) : null;
          const src = (asset?.props as { src?: string } | undefined)?.src ?? '';
          return { name: p.name, image: src.slice(0, 15) };
        })
        .filter((p) => p.image);
    });
  const expected = [
    { name: 'slides 1', image: 'data:image/jpeg' },
    { name: 'slides 2', image: 'data:image/jpeg' },
  ];
  await expect.poll(() => backgrounds(teacher), { timeout: 30_000 }).toEqual(expected);
  await expect.poll(() => backgrounds(student), { timeout: 30_000 }).toEqual(expected);
  // The image really renders on the student's side.
  await student.evaluate(() => {
    const editor = window.educloudBoard!.editor;
    editor.setCurrentPage(editor.getPages().find((p) => p.name === 'slides 1')!.id);
  });
  await student.locator('.tl-image').first().waitFor({ timeout: 15_000 });
});

it('adds an image as an inline asset the other member sees', async () => {
  await teacher.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#0a0';
    ctx.fillRect(0, 0, 64, 48);
    const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
    await window.educloudBoard!.editor.putExternalContent({
      type: 'files',
      files: [new File([blob], 'dot.png', { type: 'image/png' })],
      point: { x: 600, y: 300 },
    });
  });
  await expect
    .poll(
      () =>
        student.evaluate(() =>
          window
            .educloudBoard!.editor.getAssets()
            .filter((a) => 'name' in a.props && a.props.name === 'dot.png')
            .map((a) => (a.props as { src?: string }).src?.slice(0, 15)),
        ),
      { timeout: 15_000 },
    )
    .toEqual(['data:image/png;']);
});

it('exports the current page as PNG and SVG', async () => {
  const save = async (testId: string) => {
    const [download] = await Promise.all([
      teacher.waitForEvent('download'),
      teacher.getByTestId(testId).click(),
    ]);
    const chunks: Buffer[] = [];
    for await (const c of (await download.createReadStream())!) chunks.push(c as Buffer);
    return { name: download.suggestedFilename(), data: Buffer.concat(chunks) };
  };
  const png = await save('board-export-png');
  expect(png.name).toBe('slides 1.png');
  expect(png.data.subarray(1, 4).toString()).toBe('PNG');
  const svg = await save('board-export-svg');
  expect(svg.name).toBe('slides 1.svg');
  expect(svg.data.toString()).toContain('<svg');
});

it('shares notes typed by one with the other', async () => {
  for (const page of [teacher, student]) {
    await page.getByTestId('tab-notes').click();
    await page.locator('[data-testid="notes-status"][data-state="synced"]').waitFor();
  }
  await teacher.getByTestId('notes-content').click();
  await teacher.keyboard.type('Homework: page 42');
  await expect
    .poll(() => student.getByTestId('notes-content').textContent(), { timeout: 15_000 })
    .toContain('Homework: page 42');
  await student.getByTestId('notes-content').click();
  await student.keyboard.press('End');
  await student.keyboard.type(' (done)');
  await expect
    .poll(() => teacher.getByTestId('notes-content').textContent(), { timeout: 15_000 })
    .toContain('Homework: page 42 (done)');
  // The other's caret carries their name.
  await expect
    .poll(() => teacher.locator('.collaboration-carets__label').allTextContents(), {
      timeout: 15_000,
    })
    .toContain('Sam Student');

  const [download] = await Promise.all([
    student.waitForEvent('download'),
    student.getByTestId('notes-export-md').click(),
  ]);
  expect(download.suggestedFilename()).toBe('notes.md');
  const chunks: Buffer[] = [];
  for await (const c of (await download.createReadStream())!) chunks.push(c as Buffer);
  expect(Buffer.concat(chunks).toString()).toContain('Homework: page 42 (done)');
});

it("makes the student's board read-only while the teacher locks it", async () => {
  for (const page of [teacher, student]) await page.getByTestId('tab-board').click();
  await teacher.getByTestId('board-lock-toggle').click();
  await student.locator('[data-testid="board"][data-locked="true"]').waitFor({ timeout: 15_000 });
  await student.locator('[data-testid="board-canvas"][data-ready="true"]').waitFor();
  const boardState = (page: Page) =>
    page.evaluate(() => ({
      handle: !!window.educloudBoard,
      readOnly: window.educloudBoard?.editor.getInstanceState().isReadonly,
      locked: document.querySelector('[data-testid="board"]')?.getAttribute('data-locked'),
      status: document.querySelector('[data-testid="board-status"]')?.getAttribute('data-state'),
    }));
  await expect
    .poll(() => boardState(student), { timeout: 15_000 })
    .toEqual({ handle: true, readOnly: true, locked: 'true', status: 'synced' });

  await teacher.evaluate(() => {
    const editor = window.educloudBoard!.editor;
    editor.createShape({ type: 'geo', x: 50, y: 400, props: { geo: 'star', w: 80, h: 80 } });
  });
  await expect
    .poll(
      () =>
        student.evaluate(() =>
          window
            .educloudBoard!.editor.store.allRecords()
            .some((r) => r.typeName === 'shape' && (r.props as { geo?: string }).geo === 'star'),
        ),
      { timeout: 15_000 },
    )
    .toBe(true);

  await teacher.getByTestId('board-lock-toggle').click();
  await student.locator('[data-testid="board"][data-locked="false"]').waitFor({ timeout: 15_000 });
  await expect
    .poll(() => boardState(student), { timeout: 15_000 })
    .toEqual({ handle: true, readOnly: false, locked: 'false', status: 'synced' });
});

it("makes the student's notes read-only while the teacher locks them", async () => {
  for (const page of [teacher, student]) await page.getByTestId('tab-notes').click();
  await teacher.getByTestId('notes-lock-toggle').click();
  await student.locator('[data-testid="notes"][data-locked="true"]').waitFor({ timeout: 15_000 });
  await student
    .locator('[data-testid="notes-content"][contenteditable="false"]')
    .waitFor({ timeout: 15_000 });
  await teacher.getByTestId('notes-content').click();
  await teacher.keyboard.press('End');
  await teacher.keyboard.type(' (locked)');
  await expect
    .poll(() => student.getByTestId('notes-content').textContent(), { timeout: 15_000 })
    .toContain('(done) (locked)');
  await teacher.getByTestId('notes-lock-toggle').click();
  await student
    .locator('[data-testid="notes-content"][contenteditable="true"]')
    .waitFor({ timeout: 15_000 });
});

it('lets the teacher clear the board for everybody and undo it', async () => {
  for (const page of [teacher, student]) await page.getByTestId('tab-board').click();
  const shapes = (page: Page) =>
    page.evaluate(() => {
      const editor = window.educloudBoard?.editor;
      if (!editor) return -1;
      return editor.store.allRecords().filter((r) => r.typeName === 'shape').length;
    });
  await teacher.evaluate(() => {
    const editor = window.educloudBoard!.editor;
    editor.createShape({ type: 'geo', x: 300, y: 300, props: { geo: 'cloud', w: 60, h: 60 } });
  });
  const before = await shapes(teacher);
  await expect.poll(() => shapes(student), { timeout: 15_000 }).toBe(before);
  expect(before).toBeGreaterThan(0);
  // Students get no such control.
  expect(await student.getByTestId('board-reset').count()).toBe(0);

  await teacher.getByTestId('board-reset').click();
  await teacher.getByTestId('board-reset-confirm').click();
  // Every client is disconnected and reloads the (empty) board.
  await expect.poll(() => shapes(student), { timeout: 20_000 }).toBe(0);
  await expect.poll(() => shapes(teacher), { timeout: 20_000 }).toBe(0);
  await expect
    .poll(() => student.getByTestId('board-status').getAttribute('data-state'), {
      timeout: 20_000,
    })
    .toBe('synced');

  await teacher.getByTestId('board-undo-reset').click();
  await expect.poll(() => shapes(student), { timeout: 20_000 }).toBe(before);
  await expect.poll(() => teacher.getByTestId('board-undo-reset').count()).toBe(0);
});

it('builds only the shapes in view, and the others when the camera reaches them', async () => {
  // Far to the right of whatever the student's page shows.
  // A plain string across evaluate: Playwright's argument types recurse too deep on tldraw's ids.
  const pageId: string = await student.evaluate(() =>
    String(window.educloudBoard!.editor.getCurrentPageId()),
  );
  await teacher.evaluate((parentId) => {
    const stars: TLShapePartial<TLGeoShape>[] = Array.from({ length: 40 }, (_, i) => ({
      id: `shape:far-${i}` as TLShapeId,
      type: 'geo',
      parentId: parentId as TLPageId,
      x: 20_000 + (i % 10) * 120,
      y: Math.floor(i / 10) * 100,
      props: { geo: 'star', w: 100, h: 80 },
    }));
    window.educloudBoard!.editor.createShapes(stars);
  }, pageId);
  // Mounted: tldraw's shape container; drawn: the shape's SVG in it.
  const far = () =>
    student.evaluate(() => {
      const editor = window.educloudBoard!.editor;
      const ids = editor.getCurrentPageShapeIds();
      return {
        inStore: [...ids].filter((id) => id.startsWith('shape:far-')).length,
        mounted: document.querySelectorAll('.tl-shape[data-shape-id^="shape:far-"]').length,
        drawn: document.querySelectorAll('.tl-shape[data-shape-id^="shape:far-"] svg').length,
      };
    });
  await expect.poll(async () => (await far()).inStore, { timeout: 20_000 }).toBe(40);
  expect(await far()).toEqual({ inStore: 40, mounted: 0, drawn: 0 });

  // Hit testing and selection work on the store, mounted or not; a selected shape is drawn.
  const hit = await student.evaluate(
    () =>
      window.educloudBoard!.editor.getShapeAtPoint({ x: 20_050, y: 40 }, { hitInside: true })?.id,
  );
  expect(hit).toBe('shape:far-0');
  await student.evaluate(() => window.educloudBoard!.editor.select('shape:far-0' as never));
  await expect.poll(async () => (await far()).drawn, { timeout: 20_000 }).toBe(1);
  await student.evaluate(() => window.educloudBoard!.editor.selectNone());
  await expect.poll(async () => (await far()).mounted, { timeout: 20_000 }).toBe(0);

  await student.evaluate(() => window.educloudBoard!.editor.zoomToFit({ immediate: true }));
  await expect.poll(far, { timeout: 20_000 }).toEqual({ inStore: 40, mounted: 40, drawn: 40 });
});

it('fetched nothing from outside and logged no errors', () => {
  expect(foreign.flat()).toEqual([]);
  for (const [name, list] of Object.entries(errors)) {
    expect(unexpectedPageErrors(list), name).toEqual([]);
  }
});
