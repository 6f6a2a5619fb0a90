import { spawn, type ChildProcess } from 'node:child_process';

export interface ObsPublisher {
  child: ChildProcess;
  /** ffmpeg's exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** The exit code, or 'still running' after `ms`. */
  exitWithin(ms: number): Promise<number | null | 'still running'>;
}

/** Publishes as OBS does: x264 + AAC in FLV over RTMP, for `seconds` or until killed. */
export function publishLikeObs(url: string, seconds?: number): ObsPublisher {
  const limit = seconds ? ['-t', String(seconds)] : [];
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
      ...['-re', '-f', 'lavfi', ...limit, '-i', 'testsrc=size=640x360:rate=30'],
      ...['-f', 'lavfi', ...limit, '-i', 'sine=frequency=440'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency'],
      ...['-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac', '-f', 'flv', url],
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return {
    child,
    exited,
    exitWithin: (ms) =>
      Promise.race([
        exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms)),
      ]),
  };
}
