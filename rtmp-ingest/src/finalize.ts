import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SEGMENT_PATTERN } from './hls-args.js';
import { probeDurationSec, remuxToMp4 } from './media-tools.js';
import {
  appendSegments,
  masterPlaylist,
  readMediaPlaylist,
  withEndlist,
  writeFileAtomic,
  type MasterVariant,
  type PlaylistSegment,
} from './playlist.js';

export const MEDIA_PLAYLIST = 'index.m3u8';
export const MASTER_PLAYLIST = 'master.m3u8';
export const RECORDING_MP4 = 'recording.mp4';

export interface FinalizeTools {
  ffmpegPath: string;
  ffprobePath: string;
  logger: Logger;
}

export interface FinalizeResult {
  ok: boolean;
  durationMs: number;
  sizeBytes: number;
  reason?: string;
}

function segmentNumber(uri: string): number | null {
  const m = SEGMENT_PATTERN.exec(uri);
  return m ? Number(m[1]) : null;
}

/**
 * Segments on disk after the last listed one: ffmpeg was killed before it listed them. With
 * temp_file the one being written is still `seg_N.ts.tmp`; it is adopted when ffprobe reads a
 * duration from it, so a kill -9 loses at most what ffmpeg had not yet written.
 */
async function unlistedSegments(
  dir: string,
  listed: PlaylistSegment[],
  tools: FinalizeTools,
): Promise<PlaylistSegment[]> {
  const last = listed.length > 0 ? segmentNumber(listed[listed.length - 1]!.uri) : -1;
  if (last === null) return [];
  const names = await readdir(dir);
  const candidates: { n: number; name: string; tmp: boolean }[] = [];
  for (const name of names) {
    const tmp = name.endsWith('.ts.tmp');
    const n = segmentNumber(tmp ? name.slice(0, -'.tmp'.length) : name);
    if (n !== null && n > last) candidates.push({ n, name, tmp });
  }
  candidates.sort((a, b) => a.n - b.n);
  const out: PlaylistSegment[] = [];
  let expected = last + 1;
  for (const c of candidates) {
    // A gap means these files are not a continuation of the list.
    if (c.n !== expected) break;
    const path = join(dir, c.name);
    const duration = await probeDurationSec(tools.ffprobePath, path);
    if (duration === null) break;
    const uri = c.tmp ? c.name.slice(0, -'.tmp'.length) : c.name;
    if (c.tmp) await rename(path, join(dir, uri));
    out.push({ uri, durationSec: duration });
    expected += 1;
  }
  return out;
}

async function peakBandwidth(dir: string, segments: PlaylistSegment[]): Promise<number> {
  let peak = 0;
  for (const s of segments) {
    if (s.durationSec <= 0.1) continue;
    try {
      const { size } = await stat(join(dir, s.uri));
      peak = Math.max(peak, (size * 8) / s.durationSec);
    } catch {
      // A missing segment does not change the peak of the others.
    }
  }
  return peak;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirSize(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** Closes one media playlist for VOD; returns its segments (null if there is no playlist). */
async function closePlaylist(dir: string, tools: FinalizeTools): Promise<PlaylistSegment[] | null> {
  const path = join(dir, MEDIA_PLAYLIST);
  const pl = await readMediaPlaylist(path);
  if (!pl) return null;
  const extra = pl.ended ? [] : await unlistedSegments(dir, pl.segments, tools);
  if (extra.length > 0) {
    tools.logger.info({ dir, adopted: extra.map((s) => s.uri) }, 'adopted unlisted segments');
  }
  const text = withEndlist(appendSegments(pl.text, extra));
  if (text !== pl.text) await writeFileAtomic(path, text);
  return [...pl.segments, ...extra];
}

async function ladderDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(entry.name);
  }
  return out.sort();
}

/**
 * Turns a recording directory into a VOD: every playlist ends with #EXT-X-ENDLIST, the master
 * lists measured bandwidths, and recording.mp4 is a -c copy remux of the source playlist.
 * Idempotent, so recovery can run it again on a half-finalized recording.
 */
export async function finalizeRecordingDir(
  dir: string,
  tools: FinalizeTools,
): Promise<FinalizeResult> {
  const source = await closePlaylist(dir, tools);
  if (!source || source.length === 0) {
    return {
      ok: false,
      durationMs: 0,
      sizeBytes: await dirSize(dir).catch(() => 0),
      reason: 'no segments',
    };
  }
  const variants: MasterVariant[] = [
    { uri: MEDIA_PLAYLIST, name: 'source', bandwidth: await peakBandwidth(dir, source) },
  ];
  for (const name of await ladderDirs(dir)) {
    const segs = await closePlaylist(join(dir, name), tools);
    if (segs && segs.length > 0) {
      variants.push({
        uri: `${name}/${MEDIA_PLAYLIST}`,
        name,
        bandwidth: await peakBandwidth(join(dir, name), segs),
      });
    }
  }
  await writeFileAtomic(join(dir, MASTER_PLAYLIST), masterPlaylist(variants));

  const mp4 = join(dir, RECORDING_MP4);
  const part = join(dir, `${RECORDING_MP4}.part`);
  const listedSec = source.reduce((s, x) => s + x.durationSec, 0);
  // Generous: a copy remux runs far faster than real time.
  const res = await remuxToMp4(
    tools.ffmpegPath,
    join(dir, MEDIA_PLAYLIST),
    part,
    Math.max(120_000, listedSec * 1000),
  );
  if (res.code !== 0) {
    await rm(part, { force: true });
    tools.logger.error(
      { dir, code: res.code, stderr: res.stderr.slice(-1000) },
      'mp4 remux failed',
    );
    return {
      ok: false,
      durationMs: listedSec * 1000,
      sizeBytes: await dirSize(dir),
      reason: 'remux',
    };
  }
  await rename(part, mp4);
  const probed = await probeDurationSec(tools.ffprobePath, mp4);
  return {
    ok: probed !== null,
    durationMs: Math.round((probed ?? listedSec) * 1000),
    sizeBytes: await dirSize(dir),
    ...(probed === null && { reason: 'mp4 unreadable' }),
  };
}
