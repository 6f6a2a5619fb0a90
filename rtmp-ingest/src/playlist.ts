import { readFile, rename, writeFile } from 'node:fs/promises';

export const ENDLIST = '#EXT-X-ENDLIST';

export interface PlaylistSegment {
  uri: string;
  durationSec: number;
}

export function parseMediaPlaylist(text: string): { segments: PlaylistSegment[]; ended: boolean } {
  const segments: PlaylistSegment[] = [];
  let pending: number | null = null;
  let ended = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) {
      pending = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line === ENDLIST) {
      ended = true;
    } else if (line.length > 0 && !line.startsWith('#') && pending !== null) {
      segments.push({ uri: line, durationSec: Number.isFinite(pending) ? pending : 0 });
      pending = null;
    }
  }
  return { segments, ended };
}

export async function readMediaPlaylist(
  path: string,
): Promise<{ text: string; segments: PlaylistSegment[]; ended: boolean } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return { text, ...parseMediaPlaylist(text) };
}

/** Writes through a temp file and rename so a crash never leaves a truncated playlist. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { flush: true });
  await rename(tmp, path);
}

/** Appends segments ffmpeg wrote but never listed (it was killed before updating the list). */
export function appendSegments(text: string, extra: PlaylistSegment[]): string {
  if (extra.length === 0) return text;
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return body + extra.map((s) => `#EXTINF:${s.durationSec.toFixed(6)},\n${s.uri}\n`).join('');
}

export function withEndlist(text: string): string {
  if (parseMediaPlaylist(text).ended) return text;
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${body}${ENDLIST}\n`;
}

export interface MasterVariant {
  uri: string;
  bandwidth: number;
  name: string;
}

export function masterPlaylist(variants: MasterVariant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${Math.max(1, Math.round(v.bandwidth))},NAME="${v.name}"`,
    );
    lines.push(v.uri);
  }
  return `${lines.join('\n')}\n`;
}
