import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Middleware } from 'koa';
import type { IngestHandle, Recording } from '@educloud/rtmp-ingest';
import { HttpError } from '@educloud/signaling';
import { PUBLIC_GRANT, type HlsGrants } from './hls-grants.js';

export const HLS_PREFIX = '/hls/';

const RECORDING_ID = /^[A-Za-z0-9-]{1,64}$/;
// Ladder renditions live in sub-directories named like `720p`.
const SUBDIR = /^[a-z0-9_-]{1,32}$/;
// Only what players need: no temp files, pid files or anything a later version drops there.
// Class recordings add their tracks (webm, mp4), timeline (jsonl) and manifest (json).
const FILE = /^[A-Za-z0-9_-]{1,64}\.(m3u8|ts|mp4|webm|jsonl|json)$/;

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  mp4: 'video/mp4',
  webm: 'video/webm',
  jsonl: 'application/jsonl',
  json: 'application/json',
};

export interface HlsPath {
  recordingId: string;
  grant: string;
  /** Relative to the recording's directory, already checked to stay inside it. */
  file: string;
  ext: 'm3u8' | 'ts' | 'mp4' | 'webm' | 'jsonl' | 'json';
}

/** Splits `/hls/<recordingId>/<grant>/[<rendition>/]<file>`; null for anything else. */
export function parseHlsPath(path: string): HlsPath | null {
  if (!path.startsWith(HLS_PREFIX)) return null;
  const parts = path.slice(HLS_PREFIX.length).split('/');
  if (parts.length < 3 || parts.length > 4) return null;
  const [recordingId, grant, ...rest] = parts as [string, string, ...string[]];
  if (!RECORDING_ID.test(recordingId) || grant.length === 0 || grant.length > 64) return null;
  const name = rest[rest.length - 1]!;
  const m = FILE.exec(name);
  if (!m) return null;
  if (rest.length === 2 && !SUBDIR.test(rest[0]!)) return null;
  return { recordingId, grant, file: rest.join('/'), ext: m[1] as HlsPath['ext'] };
}

function downloadName(title: string): string {
  const safe = title.replace(/[^A-Za-z0-9 _.-]+/g, '_').trim() || 'recording';
  return `${safe.slice(0, 120)}.mp4`;
}

function cacheControl(rec: Recording, ext: HlsPath['ext'], isPublic: boolean): string {
  const scope = isPublic ? 'public' : 'private';
  // A live playlist changes every segment; a finished one never does (its URL holds the grant).
  if (ext === 'm3u8' || ext === 'jsonl' || ext === 'json')
    return rec.status === 'ready' ? `${scope}, max-age=300` : 'no-cache';
  // Segments are written under their final name only when complete (temp_file).
  return `${scope}, max-age=31536000, immutable`;
}

/** One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) within size, or null to send it all. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'bad' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'bad';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'bad';
  return { start, end };
}

/**
 * Serves the files of live broadcasts and recordings to holders of a grant (or to anyone when
 * the recording is public). Refusals use the API's error format.
 */
export function hlsFiles(deps: {
  recordings: Pick<IngestHandle['recordings'], 'get'>;
  /** A recording's directory. */
  dir: (recordingId: string) => string;
  grants: HlsGrants;
  /** A deleted class's recordings (kept by DELETED_CLASS_CONTENT=keep) are not served. */
  classExists: (classId: string) => Promise<boolean>;
}): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(HLS_PREFIX)) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      ctx.status = 405;
      return;
    }
    const p = parseHlsPath(ctx.path);
    if (!p) throw new HttpError('not_found', 'No such file');
    const isPublic = p.grant === PUBLIC_GRANT;
    if (!isPublic) {
      const check = deps.grants.verify(p.recordingId, p.grant);
      if (check !== 'ok') {
        throw new HttpError(
          'forbidden',
          check === 'expired'
            ? 'This playback link expired; reload the page'
            : 'Invalid playback link',
        );
      }
    }
    const rec = await deps.recordings.get(p.recordingId);
    if (isPublic && !rec?.isPublic)
      throw new HttpError('forbidden', 'This recording is not public');
    if (!rec || !(await deps.classExists(rec.classId))) {
      throw new HttpError('not_found', 'No such recording');
    }

    const path = join(deps.dir(rec.id), p.file);
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      throw new HttpError('not_found', 'No such file');
    }
    ctx.set('Cache-Control', cacheControl(rec, p.ext, isPublic));
    ctx.set('Accept-Ranges', 'bytes');
    ctx.type = CONTENT_TYPES[p.ext]!;
    if (p.ext === 'mp4') {
      ctx.set('Content-Disposition', `attachment; filename="${downloadName(rec.title)}"`);
    }
    const range = parseRange(ctx.get('Range') || undefined, size);
    if (range === 'bad') {
      ctx.set('Content-Range', `bytes */${size}`);
      ctx.status = 416;
      return;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) {
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${start}-${end}/${size}`);
    } else {
      ctx.status = 200;
    }
    ctx.length = size === 0 ? 0 : end - start + 1;
    if (ctx.method === 'HEAD' || size === 0) {
      if (size === 0) ctx.body = '';
      return;
    }
    ctx.body = createReadStream(path, { start, end });
  };
}
