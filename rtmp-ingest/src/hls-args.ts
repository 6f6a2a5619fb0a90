import { join } from 'node:path';
import type { Rendition } from './options.js';

export interface PackagerArgsInput {
  inputUrl: string;
  dir: string;
  segmentSeconds: number;
  ladder: readonly Rendition[];
  readTimeoutMs: number;
}

export const SEGMENT_PATTERN = /^seg_(\d{5,})\.ts$/;

function hlsOutput(outDir: string, segmentSeconds: number): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    // EVENT keeps every segment listed, so the live playlist is also the VOD.
    '-hls_playlist_type',
    'event',
    // append_list: a restarted or resumed packager continues the same playlist.
    // omit_endlist: ENDLIST is ours to write when the recording is finalized, not whenever one
    // ffmpeg exits (a reconnecting publisher would otherwise look finished to players).
    // temp_file: segments appear under their final name only when complete.
    '-hls_flags',
    'append_list+omit_endlist+temp_file+independent_segments',
    '-hls_segment_type',
    'mpegts',
    '-hls_segment_filename',
    join(outDir, 'seg_%05d.ts'),
    join(outDir, 'index.m3u8'),
  ];
}

/**
 * One ffmpeg per broadcast: the source copied as-is, plus one x264 encode per ladder rendition.
 * -copyts keeps RTMP timestamps (node-media-server shifts a resumed publish past the previous
 * one), so segments from successive packagers form one monotonic timeline for the MP4 remux.
 */
export function packagerArgs(p: PackagerArgsInput): string[] {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    '-rw_timeout',
    String(p.readTimeoutMs * 1000),
    '-copyts',
    '-i',
    p.inputUrl,
    '-map',
    '0:v?',
    '-map',
    '0:a?',
    '-c',
    'copy',
    ...hlsOutput(p.dir, p.segmentSeconds),
  ];
  for (const r of p.ladder) {
    const kbps = r.videoBitrateKbps;
    args.push(
      '-map',
      '0:v:0?',
      '-map',
      '0:a:0?',
      '-vf',
      // Browsers decode 4:2:0 only, whatever the publisher sent.
      `scale=-2:${r.height},format=yuv420p`,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-profile:v',
      'main',
      '-b:v',
      `${kbps}k`,
      '-maxrate',
      `${Math.round(kbps * 1.07)}k`,
      '-bufsize',
      `${Math.round(kbps * 1.5)}k`,
      // Keyframes on segment boundaries whatever the source GOP is.
      '-force_key_frames',
      `expr:gte(t,n_forced*${p.segmentSeconds})`,
      '-sc_threshold',
      '0',
      '-c:a',
      'aac',
      '-b:a',
      `${r.audioBitrateKbps}k`,
      '-ac',
      '2',
      ...hlsOutput(join(p.dir, r.name), p.segmentSeconds),
    );
  }
  return args;
}
