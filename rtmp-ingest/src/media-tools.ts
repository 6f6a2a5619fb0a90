import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs ffmpeg/ffprobe to completion; a hung tool is killed so finalization always ends. */
export function runTool(cmd: string, args: string[], timeoutMs: number): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      // Only the tail matters for diagnostics.
      stderr = (stderr + d).slice(-8000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Container duration in seconds, or null when ffprobe cannot read the file. */
export async function probeDurationSec(ffprobePath: string, file: string): Promise<number | null> {
  const res = await runTool(
    ffprobePath,
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file],
    60_000,
  );
  if (res.code !== 0) return null;
  const d = Number.parseFloat(res.stdout.trim());
  return Number.isFinite(d) && d > 0 ? d : null;
}

/** `-c copy` remux of an HLS playlist into a progressive-download MP4. */
export async function remuxToMp4(
  ffmpegPath: string,
  playlist: string,
  out: string,
  timeoutMs: number,
): Promise<ToolResult> {
  return runTool(
    ffmpegPath,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-i',
      playlist,
      '-map',
      '0:v?',
      '-map',
      '0:a?',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      out,
    ],
    timeoutMs,
  );
}
