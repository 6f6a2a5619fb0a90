import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BoardRecord } from './board-records.js';
import type { BoardPictureRequest } from './board-renderer.js';

/** At most one picture of the board per this much time of drawing. */
export const BOARD_PICTURE_EVERY_MS = 1000;

/** The board as a picture sequence: an ffconcat list (durations) of PNGs, and when it changed. */
export interface BoardPictures {
  /** ffconcat file, its pictures beside it; the first shows from the recording's start. */
  list: string;
  changes: number[];
  pictures: number;
}

export interface DrawsBoard {
  picture(req: BoardPictureRequest): Promise<Buffer>;
}

const shown = (r: BoardRecord) =>
  r.typeName === 'shape' ||
  r.typeName === 'page' ||
  r.typeName === 'asset' ||
  r.typeName === 'binding';

/**
 * The board over a recording as pictures: its state at the start and at the end of each
 * second in which it changed (several changes in one second make one picture), each drawn
 * only when what is shown differs from the picture before. Null when the board was empty and
 * never changed: nothing to draw (and no browser to start).
 */
export async function drawBoardPictures(o: {
  /** When the board changed (after startedAt, up to endedAt). */
  changes: number[];
  /**
   * The page the presenter showed from each moment on (the timeline's page events, in order):
   * shown whatever is drawn elsewhere. Before the first, or without any, the page being drawn
   * on is shown.
   */
  pages?: { at: number; pageId: string }[];
  /** The board's records at a moment. */
  recordsAt: (at: number) => Promise<BoardRecord[]>;
  startedAt: number;
  endedAt: number;
  /** Where the pictures and their list go (created). */
  dir: string;
  /** Opened on the first picture needed. */
  draw: () => Promise<DrawsBoard>;
  width: number;
  height: number;
}): Promise<BoardPictures | null> {
  const { startedAt, endedAt } = o;
  const pages = o.pages ?? [];
  // A page turned is a change of the picture too.
  const changes = [...o.changes, ...pages.map((p) => p.at).filter((at) => at > startedAt)].sort(
    (a, b) => a - b,
  );
  const every = BOARD_PICTURE_EVERY_MS;
  const moments = [
    ...new Set([
      startedAt,
      ...changes.map((c) =>
        Math.min(endedAt, startedAt + Math.ceil((c - startedAt) / every) * every),
      ),
    ]),
  ].sort((a, b) => a - b);
  const first = (await o.recordsAt(startedAt)).filter(shown);
  if (changes.length === 0 && !first.some((r) => r.typeName === 'shape')) return null;

  await mkdir(o.dir, { recursive: true });
  let drawer: DrawsBoard | undefined;
  const pictures: { file: string; at: number }[] = [];
  let before = new Map<string, string>();
  let beforeRecords = new Map<string, BoardRecord>();
  let pageId: string | undefined;
  for (const at of moments) {
    const records = at === startedAt ? first : (await o.recordsAt(at)).filter(shown);
    const now = new Map(records.map((r) => [String(r.id), JSON.stringify(r)]));
    const byId = new Map(records.map((r) => [String(r.id), r]));
    const changed = [...now].filter(([id, json]) => before.get(id) !== json).map(([id]) => id);
    const removed = [...before.keys()].filter((id) => !now.has(id));
    const presented = pages.findLast((p) => p.at <= at)?.pageId;
    const drawnOn = mostCommon([
      ...changed.map((id) => pageOf(id, byId)),
      ...removed.map((id) => pageOf(id, beforeRecords)),
    ]);
    const page = presented ?? drawnOn ?? pageId;
    const same = changed.length === 0 && removed.length === 0 && page === pageId;
    if (pictures.length > 0 && same) continue;
    pageId = page;
    drawer ??= await o.draw();
    const png = await drawer.picture({ records, pageId, width: o.width, height: o.height });
    const file = `board-${String(pictures.length).padStart(5, '0')}.png`;
    await writeFile(join(o.dir, file), png);
    pictures.push({ file, at });
    before = now;
    beforeRecords = byId;
  }
  // ffconcat: each picture lasts until the next; the last one is listed twice so its
  // duration is kept.
  const lines = ['ffconcat version 1.0'];
  pictures.forEach((p, i) => {
    const until = pictures[i + 1]?.at ?? endedAt;
    lines.push(`file '${p.file}'`, `duration ${(Math.max(1, until - p.at) / 1000).toFixed(3)}`);
  });
  lines.push(`file '${pictures[pictures.length - 1]!.file}'`);
  const list = join(o.dir, 'board.ffconcat');
  await writeFile(list, `${lines.join('\n')}\n`);
  return { list, changes, pictures: pictures.length };
}

/** The page a shape is on, through its parents (groups, frames). */
function pageOf(id: string, byId: Map<string, BoardRecord>): string | undefined {
  if (id.startsWith('page:')) return id;
  let r = byId.get(id);
  for (let depth = 0; r && depth < 100; depth++) {
    const parent = r.parentId;
    if (typeof parent !== 'string') return undefined;
    if (parent.startsWith('page:')) return parent;
    r = byId.get(parent);
  }
  return undefined;
}

function mostCommon(xs: (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const x of xs) if (x) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
