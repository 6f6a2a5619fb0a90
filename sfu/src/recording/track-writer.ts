import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { udpPortBound } from './udp-ports.js';

export const TRACK_PID_FILE = 'ffmpeg.pid';
export const TRACK_SDP_FILE = 'track.sdp';
export const SEGMENT_PREFIX = 'seg_';

export interface TrackWriterOptions {
  ffmpegPath: string;
  /** Directory of this track's segments (created). */
  dir: string;
  sdp: string;
  port: number;
  segmentSeconds: number;
  logger: Logger;
}

export function segmentArgs(o: { sdpPath: string; dir: string; segmentSeconds: number }) {
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', process.env.TRACK_LOGLEVEL ?? 'warning'],
    ...['-protocol_whitelist', 'file,udp,rtp', '-fflags', '+genpts'],
    // A large socket buffer: a key frame arrives as a burst of packets.
    ...['-buffer_size', '4194304', '-reorder_queue_size', '64'],
    ...['-i', o.sdpPath, '-map', '0', '-c', 'copy'],
    ...['-f', 'segment', '-segment_time', String(o.segmentSeconds), '-segment_format', 'matroska'],
    // live: clusters are written with unknown sizes, so a segment cut off by kill -9 reads back.
    ...['-segment_format_options', 'live=1', '-reset_timestamps', '0'],
    join(o.dir, `${SEGMENT_PREFIX}%05d.mkv`),
  ];
}

/**
 * One ffmpeg receiving one consumer's RTP and writing it, copied, as a numbered series of
 * Matroska segments: a crash loses at most the segment being written.
 */
export class TrackWriter {
  private exited: Promise<number | null>;
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly o: TrackWriterOptions,
    onExit: (code: number | null, expected: boolean) => void,
  ) {
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        if (!this.stopping || process.env.TRACK_LOGLEVEL)
          o.logger.warn({ code, stderr }, 'track ffmpeg exited');
        void rm(join(o.dir, TRACK_PID_FILE), { force: true });
        onExit(code, this.stopping);
        resolve(code);
      });
    });
  }

  /** Starts ffmpeg and resolves once it listens on the RTP port (media may then flow). */
  static async start(
    o: TrackWriterOptions,
    onExit: (code: number | null, expected: boolean) => void,
  ): Promise<TrackWriter> {
    await mkdir(o.dir, { recursive: true });
    const sdpPath = join(o.dir, TRACK_SDP_FILE);
    await writeFile(sdpPath, o.sdp);
    const child = spawn(
      o.ffmpegPath,
      segmentArgs({ sdpPath, dir: o.dir, segmentSeconds: o.segmentSeconds }),
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const writer = new TrackWriter(child, o, onExit);
    if (child.pid) await writeFile(join(o.dir, TRACK_PID_FILE), String(child.pid));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await udpPortBound(o.port, (p) => readFile(p, 'utf8'))) return writer;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (child.exitCode === null) return writer;
    throw new Error(`track ffmpeg exited at start (${child.exitCode})`);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGINT lets ffmpeg close the segment it writes; a hung one is killed. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.running) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
