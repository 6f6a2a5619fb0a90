import { spawn } from 'node:child_process';

/**
 * The average colour of one frame of a video at `t` seconds, as [r, g, b], decoded by ffmpeg;
 * of the region an ffmpeg `crop` filter (e.g. `crop=400:240:440:240`) keeps, or of all of it.
 */
export function frameColour(file: string, t: number, crop?: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-ss', t.toFixed(3), '-i', file, '-frames:v', '1'];
    const filter = `${crop ? `${crop},` : ''}scale=1:1:flags=area`;
    args.push('-vf', filter, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      const px = Buffer.concat(out);
      if (code !== 0 || px.length < 3) reject(new Error(`no frame at ${t}s (ffmpeg ${code})`));
      else resolve([px[0]!, px[1]!, px[2]!]);
    });
  });
}

/** The solid colours the recording tests paint with, by name; anything else is 'other'. */
export const colourName = ([r, g, b]: number[]) =>
  r! > 150 && g! < 90 && b! < 90
    ? 'red'
    : b! > 150 && r! < 80 && g! < 80
      ? 'blue'
      : r! > 220 && g! > 220 && b! > 220
        ? 'white'
        : 'other';
