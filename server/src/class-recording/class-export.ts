import { spawn } from 'node:child_process';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { classRecordingManifestSchema, type RecordingTrack } from '@educloud/protocol';
import { MANIFEST_FILE } from './finalize-class-recording.js';

export const EXPORT_FILE = 'export.mp4';

export interface ExportStatus {
  status: 'none' | 'running' | 'ready' | 'failed';
  /** 0 … 1 */
  progress: number;
  file: string;
}

const longest = (tracks: RecordingTrack[]) =>
  [...tracks].sort((a, b) => (b.endedAt ?? 0) - b.startedAt - ((a.endedAt ?? 0) - a.startedAt))[0];

/**
 * The ffmpeg arguments of a class's MP4: the shared screen (or else the teacher's camera, the
 * longest camera track) as the picture, every microphone mixed, each placed at its offset.
 */
export function exportArgs(dir: string, tracks: RecordingTrack[], startedAt: number, out: string) {
  const withFile = tracks.filter((t) => t.file);
  const video =
    longest(withFile.filter((t) => t.kind === 'video' && t.source === 'screen')) ??
    longest(withFile.filter((t) => t.kind === 'video'));
  const audio = withFile.filter((t) => t.kind === 'audio');
  const inputs: string[] = [];
  const filters: string[] = [];
  let n = 0;
  if (video) {
    inputs.push('-i', join(dir, video.file!));
    const offset = Math.max(0, (video.startedAt - startedAt) / 1000);
    filters.push(
      `[${n}:v]setpts=PTS-STARTPTS+${offset.toFixed(3)}/TB,scale=1280:720:force_original_aspect_ratio=decrease,` +
        `pad=1280:720:(ow-iw)/2:(oh-ih)/2,fps=15[v]`,
    );
    n++;
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
    ...(video ? ['-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26'] : []),
    ...(labels.length ? ['-map', '[a]', '-c:a', 'aac', '-b:a', '96k'] : []),
    ...['-movflags', '+faststart', '-progress', 'pipe:1', '-f', 'mp4', out],
  ];
}

/** Background MP4 exports of class recordings, one at a time per recording. */
export class ClassExports {
  private readonly running = new Map<string, ExportStatus & { done: Promise<void> }>();

  constructor(private readonly o: { logger: Logger; ffmpegPath?: string }) {}

  async status(id: string, dir: string): Promise<ExportStatus> {
    const r = this.running.get(id);
    if (r) return { status: r.status, progress: r.progress, file: EXPORT_FILE };
    const exists = await stat(join(dir, EXPORT_FILE)).then(
      () => true,
      () => false,
    );
    return { status: exists ? 'ready' : 'none', progress: exists ? 1 : 0, file: EXPORT_FILE };
  }

  /** Starts the export unless one runs; resolves when it ends (tests and benchmarks wait). */
  start(id: string, dir: string): Promise<void> {
    const current = this.running.get(id);
    if (current?.status === 'running') return current.done;
    const state: ExportStatus & { done: Promise<void> } = {
      status: 'running',
      progress: 0,
      file: EXPORT_FILE,
      done: Promise.resolve(),
    };
    this.running.set(id, state);
    state.done = this.run(dir, state).then(
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

  private async run(dir: string, state: ExportStatus): Promise<void> {
    const manifest = classRecordingManifestSchema.parse(
      JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')),
    );
    const totalUs = Math.max(1, (manifest.endedAt - manifest.startedAt) * 1000);
    const part = join(dir, `${EXPORT_FILE}.part`);
    const args = exportArgs(dir, manifest.tracks, manifest.startedAt, part);
    await new Promise<void>((resolve, reject) => {
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
    }).catch(async (err: unknown) => {
      await rm(part, { force: true });
      throw err;
    });
    await rename(part, join(dir, EXPORT_FILE));
    state.progress = 1;
    state.status = 'ready';
  }
}
