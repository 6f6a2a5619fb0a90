import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { drawBoardPictures, type DrawsBoard } from './board-pictures.js';
import type { BoardPictureRequest } from './board-renderer.js';
import type { BoardRecord } from './board-records.js';

const T = 1_000_000;
const page = (id: string): BoardRecord => ({ id, typeName: 'page' });
const shape = (id: string, parentId: string, x = 0): BoardRecord => ({
  id,
  typeName: 'shape',
  parentId,
  x,
});
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A drawer that remembers what it was asked; its "PNG" names the request. */
function fakeDrawer() {
  const asked: BoardPictureRequest[] = [];
  let opened = 0;
  const drawer: DrawsBoard = {
    picture: async (req) => {
      asked.push(req);
      return Buffer.from(`${req.pageId}:${req.records.length}`);
    },
  };
  return {
    asked,
    opened: () => opened,
    draw: async () => {
      opened++;
      return drawer;
    },
  };
}

async function run(
  states: [number, BoardRecord[]][],
  changes: number[],
  endedAt = T + 10_000,
  pages?: { at: number; pageId: string }[],
) {
  const dir = await mkdtemp(join(os.tmpdir(), 'board-pictures-'));
  dirs.push(dir);
  const d = fakeDrawer();
  const out = await drawBoardPictures({
    changes,
    // The state at `at`: the last one set at or before it.
    recordsAt: async (at) => [...states].reverse().find(([t]) => t <= at)?.[1] ?? [],
    startedAt: T,
    endedAt,
    dir: join(dir, 'board'),
    width: 1280,
    height: 720,
    draw: d.draw,
    pages,
  });
  return { out, d, dir: join(dir, 'board') };
}

describe('drawBoardPictures', () => {
  it('draws nothing, and opens no browser, for a board empty all along', async () => {
    const { out, d } = await run([[T, [page('page:1')]]], []);
    expect(out).toBeNull();
    expect(d.opened()).toBe(0);
  });

  it('draws the start and one picture per second of changes, each shown until the next', async () => {
    const p = 'page:1';
    const { out, d, dir } = await run(
      [
        [T, [page(p)]],
        [T + 2_100, [page(p), shape('shape:a', p)]],
        [T + 2_400, [page(p), shape('shape:a', p, 5)]],
        [T + 2_900, [page(p), shape('shape:a', p, 9)]],
        [T + 6_000, [page(p), shape('shape:a', p, 9), shape('shape:b', p)]],
      ],
      [T + 2_100, T + 2_400, T + 2_900, T + 6_000],
    );
    // Three changes within one second make one picture, at its end (3 s).
    expect(out?.pictures).toBe(3);
    expect(d.opened()).toBe(1);
    expect(d.asked.map((r) => r.records.length)).toEqual([1, 2, 3]);
    const list = await readFile(out!.list, 'utf8');
    expect(list.trim().split('\n')).toEqual([
      'ffconcat version 1.0',
      "file 'board-00000.png'",
      'duration 3.000',
      "file 'board-00001.png'",
      'duration 3.000',
      "file 'board-00002.png'",
      'duration 4.000',
      "file 'board-00002.png'",
    ]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.png'))).toHaveLength(3);
  });

  it('skips a moment that changed nothing shown, and shows the page drawn on', async () => {
    const [p1, p2] = ['page:1', 'page:2'];
    const both = [page(p1), page(p2), shape('shape:a', p1)];
    const { d } = await run(
      [
        [T, both],
        // Only a camera or pointer record changed: nothing to draw.
        [T + 1_000, [...both, { id: 'camera:x', typeName: 'camera', x: 1 }]],
        [T + 3_000, [...both, shape('shape:g', p2), shape('shape:in-group', 'shape:g')]],
        [T + 5_000, [...both, shape('shape:g', p2), shape('shape:in-group', 'shape:g', 4)]],
      ],
      [T + 1_000, T + 3_000, T + 5_000],
    );
    // At the start: the page with the drawing; then the page of the group drawn in.
    expect(d.asked.map((r) => r.pageId)).toEqual([p1, p2, p2]);
  });

  it("shows the presenter's page, and draws a page turned without any drawing", async () => {
    const [p1, p2] = ['page:1', 'page:2'];
    const board = [page(p1), page(p2), shape('shape:a', p1), shape('shape:b', p2)];
    const { d, out } = await run(
      [
        [T, board],
        // Drawn on page 1 while page 2 is presented: page 2 stays on screen.
        [T + 4_000, [...board, shape('shape:c', p1)]],
      ],
      [T + 4_000],
      T + 10_000,
      [
        { at: T + 500, pageId: p1 },
        { at: T + 2_500, pageId: p2 },
        { at: T + 6_200, pageId: p1 },
      ],
    );
    // The start (nothing presented yet: the drawn page), each page turned (at the next second),
    // and the drawing on page 1 shown as page 2, the presented one.
    expect(d.asked.map((r) => r.pageId)).toEqual([p1, p2, p2, p1]);
    expect(out?.changes).toEqual([T + 500, T + 2_500, T + 4_000, T + 6_200]);
  });
});
