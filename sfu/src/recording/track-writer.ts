import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
  /**
   * The replayable file written beside the segments (as `<path>.part`, renamed when ffmpeg
   * closes it cleanly), so the replay needs no joining of segments once recording stops.
   */
  replay?: ReplayOutput;
}

export interface ReplayOutput {
  path: string;
  format: 'webm' | 'mp4';
}

export const partPath = (path: string) => `${path}.part`;

export function segmentArgs(o: {
  sdpPath: string;
  dir: string;
  segmentSeconds: number;
  replay?: ReplayOutput;
}) {
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', process.env.TRACK_LOGLEVEL ?? 'warning'],
    ...['-protocol_whitelist', 'file,udp,rtp', '-fflags', '+genpts'],
    // A large socket buffer: a key frame arrives as a burst of packets.
    ...['-buffer_size', '4194304', '-reorder_queue_size', '64'],
    ...['-i', o.sdpPath, '-map', '0', '-c', 'copy'],
    ...['-f', 'segment', '-segment_time', String(o.segmentSeconds), '-segment_format', 'matroska'],
    // live: clusters are written with unknown sizes (and closed every second at most), so a
    // segment cut off by kill -9 reads back. flush_packets: ffmpeg otherwise keeps up to 256 kB
    // of a file in memory (its file protocol writes in 256 kB blocks): minutes of a quiet audio
    // track, or all of a video segment that cannot be cut for want of a key frame, lost on a
    // kill -9 although "written".
    ...['-segment_format_options', 'live=1:flush_packets=1', '-reset_timestamps', '0'],
    join(o.dir, `${SEGMENT_PREFIX}%05d.mkv`),
    // The same packets, copied once more into the file the replay plays: closing it on stop
    // only writes its index (cues / moov), so the replay is ready as soon as ffmpeg exits.
    ...(o.replay ? replayArgs(o.replay) : []),
  ];
}

/** The replay file's output: on disk as it is received, like the segments. */
function replayArgs(replay: ReplayOutput): string[] {
  return [
    ...['-map', '0', '-c', 'copy', '-flush_packets', '1'],
    // A WebM cluster is held in memory until it is closed: one second at most, as live.
    ...(replay.format === 'webm' ? ['-cluster_time_limit', '1000'] : []),
    ...['-f', replay.format, partPath(replay.path)],
  ];
}

// An RTCP BYE (version 2, packet type 203) of two sources: ffmpeg's RTP input ends at it, and
// reads nothing shorter than an RTP header (12 bytes).
const RTCP_BYE = Buffer.from([0x82, 0xcb, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]);

/**
 * Tells ffmpeg its input has ended. SIGINT alone is only seen between packets: a producer gone
 * quiet (closed, or paused) leaves ffmpeg waiting in its read, and it would have to be killed
 * before closing its files. The BYE ends that read, so the files are closed properly.
 */
function sendBye(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => s.close(() => resolve()));
    s.send(RTCP_BYE, port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

/**
 * One ffmpeg receiving one consumer's RTP and writing it, copied, as a numbered series of
 * Matroska segments: a crash loses at most the segment being written.
 */
export class TrackWriter {
  private exited: Promise<number | null>;
  private stopping = false;
  private killed = false;

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
      segmentArgs({ sdpPath, dir: o.dir, segmentSeconds: o.segmentSeconds, replay: o.replay }),
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
    if (child.exitCode === null) {
      o.logger.warn({ port: o.port }, 'track ffmpeg not seen listening in time: media may be lost');
      return writer;
    }
    throw new Error(`track ffmpeg exited at start (${child.exitCode})`);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * SIGINT lets ffmpeg close the segment and the replay file it writes; a hung one is killed.
   * Resolves true when the replay file was closed cleanly and is in place.
   */
  async stop(timeoutMs = 5000): Promise<boolean> {
    const crashed = !this.running && !this.stopping;
    this.stopping = true;
    if (this.running) {
      this.child.kill('SIGINT');
      await sendBye(this.o.port);
    }
    const timer = setTimeout(() => {
      this.killed = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    await this.exited;
    clearTimeout(timer);
    // A replay file ffmpeg did not close itself lacks its index: the segments are joined instead.
    if (!this.o.replay || crashed || this.killed || this.child.signalCode !== null) return false;
    return rename(partPath(this.o.replay.path), this.o.replay.path).then(
      () => true,
      () => false,
    );
  }
}
