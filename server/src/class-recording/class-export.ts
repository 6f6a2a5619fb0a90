import { spawn } from 'node:child_process';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { classRecordingManifestSchema, type RecordingTrack } from '@educloud/protocol';
import { exportLayout, type Shot, type SpeakerChange } from './export-layout.js';
import { MANIFEST_FILE } from './finalize-class-recording.js';
import { readTimeline, TIMELINE_FILE } from './timeline-log.js';

export const EXPORT_FILE = 'export.mp4';

export interface ExportStatus {
  status: 'none' | 'running' | 'ready' | 'failed';
  /** 0 … 1 */
  progress: number;
  file: string;
}

const W = 1280;
const H = 720;
const FPS = 15;
const sec = (x: number) => x.toFixed(3);
/** An ffmpeg expression true during any of the shots (the filter graph quotes it). */
const during = (shots: Shot[]) =>
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
  o: { endedAt?: number; speakers?: SpeakerChange[] } = {},
) {
  const withFile = tracks.filter((t) => t.file);
  const endedAt =
    o.endedAt ?? Math.max(startedAt, ...withFile.map((t) => t.endedAt ?? t.startedAt));
  const layout = exportLayout(withFile, o.speakers ?? [], startedAt, endedAt);
  const shots = new Map<RecordingTrack, Shot[]>();
  for (const shot of [...layout.cameras, ...layout.content]) {
    shots.set(shot.track, [...(shots.get(shot.track) ?? []), shot]);
  }
  const audio = withFile.filter((t) => t.kind === 'audio');
  const duration = (endedAt - startedAt) / 1000;
  const inputs: string[] = [];
  const filters: string[] = [];
  let n = 0;
  let picture = '';
  if (shots.size > 0) {
    filters.push(`color=c=black:s=${W}x${H}:r=${FPS}:d=${sec(duration)}[base0]`);
    picture = '[base0]';
    // Cameras first, content over them.
    for (const [track, on] of shots) {
      inputs.push('-i', join(dir, track.file!));
      const offset = Math.max(0, (track.startedAt - startedAt) / 1000);
      filters.push(
        `[${n}:v]setpts=PTS-STARTPTS+${sec(offset)}/TB,select='${during(on)}',` +
          `scale=${W}:${H}:force_original_aspect_ratio=decrease,` +
          `pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2,setsar=1[s${n}]`,
        `${picture}[s${n}]overlay=eof_action=pass:enable='${during(on)}'[base${n + 1}]`,
      );
      picture = `[base${n + 1}]`;
      n++;
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
    const speakers = (await readTimeline(join(dir, TIMELINE_FILE))).flatMap((e) =>
      e.type === 'speaker' ? [{ at: e.at, peerId: e.peerId }] : [],
    );
    const args = exportArgs(dir, manifest.tracks, manifest.startedAt, part, {
      endedAt: manifest.endedAt,
      speakers,
    });
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
