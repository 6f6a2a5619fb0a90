import { spawn } from 'node:child_process';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  classDocumentName,
  classRecordingManifestSchema,
  type ClassRecordingManifest,
  type RecordingTrack,
} from '@educloud/protocol';
import { drawBoardPictures } from './board-pictures.js';
import { boardChanges, boardRecordsAt } from './board-records.js';
import { BoardRenderer } from './board-renderer.js';
import {
  exportLayout,
  type BoardActivity,
  type Shot,
  type Span,
  type SpeakerChange,
} from './export-layout.js';
import { MANIFEST_FILE } from './finalize-class-recording.js';
import { readTimeline, TIMELINE_FILE } from './timeline-log.js';

export const EXPORT_FILE = 'export.mp4';

export interface ExportStatus {
  status: 'none' | 'running' | 'ready' | 'failed';
  /** 0 … 1 */
  progress: number;
  file: string;
  /** Why the export lacks a part (the whiteboard could not be drawn); null: complete. */
  warning: string | null;
}

const W = 1280;
const H = 720;
const FPS = 15;
// The speaker's picture-in-picture while the board or a screen fills the picture.
const PIP_W = 320;
const PIP_H = 180;
const PIP_MARGIN = 24;
const sec = (x: number) => x.toFixed(3);
/** An ffmpeg expression true during any of the shots (the filter graph quotes it). */
const during = (shots: Span[]) =>
  shots.map((s) => `between(t,${sec(s.from)},${sec(s.to)})`).join('+');

/**
 * The ffmpeg arguments of a class's MP4: the active speaker's camera over time (see
 * exportLayout), a screen share or the bridged broadcast whole while it runs, every microphone
 * mixed; each track placed at its offset on the recording's clock.
 *
 * Each video shown is scaled only for the frames it is on screen (select) and laid over a
 * black picture while it is (overlay enable): one pass, no cut-and-join, and a camera that
 * sends no frame for a while keeps its last one, as the live room did.
 */
export function exportArgs(
  dir: string,
  tracks: RecordingTrack[],
  startedAt: number,
  out: string,
  o: {
    endedAt?: number;
    speakers?: SpeakerChange[];
    /** The board's pictures (an ffconcat list from the start) and what it did. */
    board?: { list: string; activity: BoardActivity };
  } = {},
) {
  const withFile = tracks.filter((t) => t.file);
  const endedAt =
    o.endedAt ?? Math.max(startedAt, ...withFile.map((t) => t.endedAt ?? t.startedAt));
  const layout = exportLayout(withFile, o.speakers ?? [], startedAt, endedAt, o.board?.activity);
  const byTrack = (list: Shot[]) => {
    const m = new Map<RecordingTrack, Shot[]>();
    for (const shot of list) m.set(shot.track, [...(m.get(shot.track) ?? []), shot]);
    return m;
  };
  // Camera and content tracks are apart by source: no track is in both.
  const cameras = byTrack(layout.cameras);
  const content = byTrack(layout.content);
  const small = byTrack(layout.pip);
  const audio = withFile.filter((t) => t.kind === 'audio');
  const duration = (endedAt - startedAt) / 1000;
  const inputs: string[] = [];
  const filters: string[] = [];
  let n = 0;
  let picture = '';
  let layer = 0;
  const over = (label: string, on: Span[], extra = '') => {
    const next = `[base${++layer}]`;
    filters.push(`${picture}${label}overlay=${extra}enable='${during(on)}'${next}`);
    picture = next;
  };
  if (cameras.size > 0 || content.size > 0 || layout.board.length > 0) {
    filters.push(`color=c=black:s=${W}x${H}:r=${FPS}:d=${sec(duration)}[base0]`);
    picture = '[base0]';
    const pips: [string, Span[]][] = [];
    const board = layout.board.length > 0 ? o.board : undefined;
    const video = (track: RecordingTrack, on: Span[]) => {
      inputs.push('-i', join(dir, track.file!));
      const offset = Math.max(0, (track.startedAt - startedAt) / 1000);
      const pip = small.get(track);
      const src = `[${n}:v]setpts=PTS-STARTPTS+${sec(offset)}/TB`;
      const fit = (w: number, h: number) =>
        `scale=${w}:${h}:force_original_aspect_ratio=decrease,` +
        `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
      if (pip) {
        filters.push(`${src},split[f${n}][p${n}]`);
        filters.push(`[p${n}]select='${during(pip)}',${fit(PIP_W, PIP_H)}[s${n}p]`);
        pips.push([`[s${n}p]`, pip]);
      }
      filters.push(`${pip ? `[f${n}]` : `${src},`}select='${during(on)}',${fit(W, H)}[s${n}]`);
      over(`[s${n}]`, on, 'eof_action=pass:');
      n++;
    };
    // Cameras first, the board over them, shared content over both, the speaker in a corner.
    for (const [track, on] of cameras) video(track, on);
    if (board) {
      inputs.push('-f', 'concat', '-safe', '0', '-i', board.list);
      filters.push(`[${n}:v]format=yuv420p,setpts=PTS-STARTPTS,setsar=1[s${n}]`);
      over(`[s${n}]`, layout.board);
      n++;
    }
    for (const [track, on] of content) video(track, on);
    for (const [label, on] of pips) {
      over(label, on, `x=${W - PIP_W - PIP_MARGIN}:y=${H - PIP_H - PIP_MARGIN}:eof_action=pass:`);
    }
    filters.push(`${picture}format=yuv420p[v]`);
  }
  const labels: string[] = [];
  for (const a of audio) {
    inputs.push('-i', join(dir, a.file!));
    const ms = Math.max(0, Math.round(a.startedAt - startedAt));
    filters.push(`[${n}:a]aresample=48000,adelay=${ms}:all=1[a${n}]`);
    labels.push(`[a${n}]`);
    n++;
  }
  if (labels.length > 0) {
    filters.push(`${labels.join('')}amix=inputs=${labels.length}:normalize=0[a]`);
  }
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...inputs,
    ...['-filter_complex', filters.join(';')],
    ...(picture ? ['-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26'] : []),
    ...(labels.length ? ['-map', '[a]', '-c:a', 'aac', '-b:a', '96k'] : []),
    ...['-t', sec(duration)],
    ...['-movflags', '+faststart', '-progress', 'pipe:1', '-f', 'mp4', out],
  ];
}

/** What the export could not include, kept beside it (export.json). */
const EXPORT_NOTE_FILE = 'export.json';
const BOARD_DIR = 'export-board';

export interface ExportBoardOptions {
  db: Kysely<unknown>;
  /** The built web client (its /board-render page draws the board). */
  webRoot: string;
  /** Chromium's executable; null: the board is not drawn on this server. */
  chromiumPath: string | null;
}

/** Background MP4 exports of class recordings, one at a time per recording. */
export class ClassExports {
  private readonly running = new Map<string, ExportStatus & { done: Promise<void> }>();

  constructor(
    private readonly o: { logger: Logger; ffmpegPath?: string; board?: ExportBoardOptions },
  ) {}

  async status(id: string, dir: string): Promise<ExportStatus> {
    const r = this.running.get(id);
    if (r) return { status: r.status, progress: r.progress, file: EXPORT_FILE, warning: r.warning };
    const exists = await stat(join(dir, EXPORT_FILE)).then(
      () => true,
      () => false,
    );
    const warning = exists
      ? await readFile(join(dir, EXPORT_NOTE_FILE), 'utf8').then(
          (t) => exportNoteSchema.parse(JSON.parse(t)).warning,
          () => null,
        )
      : null;
    return {
      status: exists ? 'ready' : 'none',
      progress: exists ? 1 : 0,
      file: EXPORT_FILE,
      warning,
    };
  }

  /** Starts the export unless one runs; resolves when it ends (tests and benchmarks wait). */
  start(id: string, dir: string): Promise<void> {
    const current = this.running.get(id);
    if (current?.status === 'running') return current.done;
    const state: ExportStatus & { done: Promise<void> } = {
      status: 'running',
      progress: 0,
      file: EXPORT_FILE,
      warning: null,
      done: Promise.resolve(),
    };
    this.running.set(id, state);
    state.done = this.run(id, dir, state).then(
      () => {
        this.running.delete(id);
      },
      (err: unknown) => {
        this.o.logger.error({ err, recordingId: id }, 'class recording export failed');
        state.status = 'failed';
      },
    );
    return state.done;
  }

  private async run(id: string, dir: string, state: ExportStatus): Promise<void> {
    const manifest = classRecordingManifestSchema.parse(
      JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')),
    );
    const totalUs = Math.max(1, (manifest.endedAt - manifest.startedAt) * 1000);
    const part = join(dir, `${EXPORT_FILE}.part`);
    const timeline = await readTimeline(join(dir, TIMELINE_FILE));
    const speakers = timeline.flatMap((e) =>
      e.type === 'speaker' ? [{ at: e.at, peerId: e.peerId }] : [],
    );
    const stage = timeline.flatMap((e) =>
      e.type === 'stage' ? [{ at: e.at, content: e.content }] : [],
    );
    const pages = timeline.flatMap((e) =>
      e.type === 'page' ? [{ at: e.at, pageId: e.pageId }] : [],
    );
    const boardDir = join(dir, BOARD_DIR);
    try {
      const pictures = await this.boardPictures(id, manifest, pages, boardDir).catch(
        (err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          state.warning = `The whiteboard is not in the export: ${why}`;
          this.o.logger.warn({ err, recordingId: id }, 'the export goes without the whiteboard');
          return null;
        },
      );
      const args = exportArgs(dir, manifest.tracks, manifest.startedAt, part, {
        endedAt: manifest.endedAt,
        speakers,
        board: pictures
          ? { list: pictures.list, activity: { changes: pictures.changes, stage } }
          : undefined,
      });
      await this.ffmpeg(args, state, totalUs).catch(async (err: unknown) => {
        await rm(part, { force: true });
        throw err;
      });
    } finally {
      await rm(boardDir, { recursive: true, force: true });
    }
    await writeFile(join(dir, EXPORT_NOTE_FILE), JSON.stringify({ warning: state.warning }));
    await rename(part, join(dir, EXPORT_FILE));
    state.progress = 1;
    state.status = 'ready';
  }

  /** The board's pictures through one headless page, closed when done; null: nothing drawn. */
  private async boardPictures(
    id: string,
    manifest: ClassRecordingManifest,
    pages: { at: number; pageId: string }[],
    out: string,
  ) {
    const b = this.o.board;
    if (!b) return null;
    let renderer: BoardRenderer | undefined;
    try {
      const started = Date.now();
      const docName = classDocumentName(manifest.classId, 'board');
      const pictures = await drawBoardPictures({
        changes: await boardChanges(b.db, docName, manifest.startedAt, manifest.endedAt),
        recordsAt: (at) => boardRecordsAt(b.db, docName, at),
        pages,
        startedAt: manifest.startedAt,
        endedAt: manifest.endedAt,
        dir: out,
        width: W,
        height: H,
        draw: async () => {
          if (!b.chromiumPath) throw new Error('drawing it is turned off (CHROMIUM_PATH=off)');
          renderer = await BoardRenderer.open({
            chromiumPath: b.chromiumPath,
            webRoot: b.webRoot,
          });
          return renderer;
        },
      });
      if (pictures) {
        this.o.logger.info(
          { recordingId: id, pictures: pictures.pictures, ms: Date.now() - started },
          'whiteboard drawn for the export',
        );
      }
      return pictures;
    } finally {
      await renderer?.close().catch(() => {});
    }
  }

  private ffmpeg(args: string[], state: ExportStatus, totalUs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const child = spawn(this.o.ffmpegPath ?? 'ffmpeg', args, {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr = (stderr + d).slice(-2000);
      });
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        const m = /out_time_us=(\d+)/.exec(d);
        if (m) state.progress = Math.min(0.99, Number(m[1]) / totalUs);
      });
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`ffmpeg ${code}: ${stderr}`)),
      );
    });
  }
}

const exportNoteSchema = z.object({ warning: z.string().nullable() });
