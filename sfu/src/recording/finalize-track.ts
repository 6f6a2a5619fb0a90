import { spawn } from 'node:child_process';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SEGMENT_PREFIX } from './track-writer.js';

export interface FinalizeTrackTools {
  ffmpegPath: string;
  ffprobePath: string;
}

function run(cmd: string, args: string[], timeoutMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Packets ffprobe reads from a file (0 when it cannot read it: a segment cut before its header). */
export async function countPackets(ffprobePath: string, file: string): Promise<number> {
  const res = await run(
    ffprobePath,
    [
      '-v',
      'error',
      '-count_packets',
      '-show_entries',
      'stream=nb_read_packets',
      '-of',
      'csv=p=0',
      file,
    ],
    60_000,
  );
  if (res.code !== 0) return 0;
  return res.stdout
    .trim()
    .split('\n')
    .reduce((s, l) => s + (Number.parseInt(l, 10) || 0), 0);
}

/** Container duration in ms, or null when unreadable. */
export async function probeDurationMs(ffprobePath: string, file: string): Promise<number | null> {
  const res = await run(
    ffprobePath,
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file],
    60_000,
  );
  const d = Number.parseFloat(res.stdout.trim());
  return res.code === 0 && Number.isFinite(d) && d > 0 ? Math.round(d * 1000) : null;
}

export async function listSegments(segmentsDir: string): Promise<string[]> {
  const names = await readdir(segmentsDir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(SEGMENT_PREFIX) && n.endsWith('.mkv')).sort();
}

/**
 * Joins a track's segments (copied) into one file browsers play. Segments ffprobe cannot read
 * (the one a kill -9 cut short before anything was flushed) are left out. Idempotent: recovery
 * runs it again. Returns null when no segment holds media.
 */
export async function finalizeTrack(
  segmentsDir: string,
  out: string,
  tools: FinalizeTrackTools,
): Promise<{ durationMs: number; segments: number } | null> {
  // ffmpeg closes a segment before opening the next: only the newest can be cut short, so only
  // it is probed (probing each one would make a long class slow to finalize).
  const readable = await listSegments(segmentsDir);
  const last = readable.at(-1);
  if (last && (await countPackets(tools.ffprobePath, join(segmentsDir, last))) === 0) {
    readable.pop();
  }
  if (readable.length === 0) return null;
  const list = join(segmentsDir, 'concat.txt');
  await writeFile(list, `ffconcat version 1.0\n${readable.map((n) => `file '${n}'`).join('\n')}\n`);
  const part = `${out}.part`;
  const format = out.endsWith('.mp4') ? 'mp4' : 'webm';
  const res = await run(
    tools.ffmpegPath,
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
      ...['-f', 'concat', '-safe', '0', '-i', list, '-map', '0', '-c', 'copy'],
      ...(format === 'mp4' ? ['-movflags', '+faststart'] : []),
      ...['-f', format, part],
    ],
    10 * 60_000,
  );
  if (res.code !== 0) {
    await rm(part, { force: true });
    throw new Error(`joining segments failed: ${res.stderr.slice(-500)}`);
  }
  await rename(part, out);
  return {
    durationMs: (await probeDurationMs(tools.ffprobePath, out)) ?? 0,
    segments: readable.length,
  };
}

/**
 * The span of media in a file from its packets (first timestamp to last plus its duration):
 * segments written live carry no container duration.
 */
export async function probeMediaSpanMs(ffprobePath: string, file: string): Promise<number> {
  const res = await run(
    ffprobePath,
    ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file],
    60_000,
  );
  if (res.code !== 0) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (const line of res.stdout.split('\n')) {
    const [pts, dur] = line.split(',').map(Number.parseFloat);
    if (pts === undefined || !Number.isFinite(pts)) continue;
    first = Math.min(first, pts);
    last = Math.max(last, pts + (Number.isFinite(dur) ? dur! : 0));
  }
  return Number.isFinite(first) ? Math.round((last - first) * 1000) : 0;
}
