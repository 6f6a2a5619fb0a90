import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ClassRecordingManifest, RecordingTrack } from '@educloud/protocol';
import { finalizeTrack } from '@educloud/sfu';
import { readTimeline, TIMELINE_FILE } from './timeline-log.js';

export const MANIFEST_FILE = 'manifest.json';
const FINALIZE_CONCURRENCY = 4;
// Below this a replay file holds a header and hardly a frame: its track recorded nothing.
const MIN_REPLAY_BYTES = 1024;

/** The size of the replay file the track writer closed cleanly, or 0 when there is none. */
async function writtenReplayBytes(path: string): Promise<number> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : 0),
    () => 0,
  );
}

export interface FinalizeClassTools {
  ffmpegPath: string;
  ffprobePath: string;
  logger: Logger;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirSize(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/**
 * Turns a class recording's directory into its replayable form: each track's segments joined
 * into one file, and manifest.json listing the tracks on the timeline's clock. Works from the
 * timeline alone, so it serves a clean stop, SIGTERM and a recording a kill -9 interrupted.
 */
export async function finalizeClassRecording(
  dir: string,
  meta: { recordingId: string; classId: string; startedAt: number },
  tools: FinalizeClassTools,
): Promise<{ ok: boolean; durationMs: number; sizeBytes: number; endedAt: number }> {
  const events = await readTimeline(join(dir, TIMELINE_FILE));
  const tracks = new Map<string, RecordingTrack>();
  let endedAt = meta.startedAt;
  for (const e of events) {
    endedAt = Math.max(endedAt, e.at);
    if (e.type !== 'track') continue;
    const prev = tracks.get(e.track.trackId);
    tracks.set(e.track.trackId, {
      ...(prev ?? e.track),
      endedAt: e.track.endedAt ?? prev?.endedAt ?? null,
    });
  }
  const stopped = events.find((e) => e.type === 'recording' && e.state === 'stopped');
  const finish = async (t: RecordingTrack): Promise<RecordingTrack> => {
    const planned = t.file;
    let file: string | null = null;
    let durationMs = 0;
    // The usual case: the writer closed the replay file itself on stop. Nothing to join, so the
    // replay is ready as soon as the media stops (the segments are only for crashes).
    if (planned && t.endedAt !== null) {
      const bytes = await writtenReplayBytes(join(dir, planned));
      if (bytes >= MIN_REPLAY_BYTES) return { ...t, file: planned };
    }
    if (planned) {
      await rm(join(dir, `${planned}.part`), { force: true });
      try {
        const done = await finalizeTrack(join(dir, 'tracks', t.trackId), join(dir, planned), tools);
        if (done) {
          file = planned;
          durationMs = done.durationMs;
        }
      } catch (err) {
        tools.logger.error({ err, trackId: t.trackId }, 'track could not be finalized');
      }
    }
    // A track a crash cut off ends where its media ends.
    return { ...t, endedAt: t.endedAt ?? t.startedAt + durationMs, file };
  };
  // A few tracks at once: each is a short copy (I/O bound), so a class of many finishes sooner.
  const queue = [...tracks.values()];
  const finished: RecordingTrack[] = [];
  await Promise.all(
    Array.from({ length: Math.min(FINALIZE_CONCURRENCY, queue.length) }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) finished.push(await finish(t));
    }),
  );
  for (const t of finished) endedAt = Math.max(endedAt, t.endedAt ?? endedAt);
  if (stopped) endedAt = stopped.at;
  const manifest: ClassRecordingManifest = {
    recordingId: meta.recordingId,
    classId: meta.classId,
    startedAt: meta.startedAt,
    endedAt,
    tracks: finished.sort((a, b) => a.startedAt - b.startedAt),
  };
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1));
  return {
    ok: true,
    durationMs: endedAt - meta.startedAt,
    sizeBytes: await dirSize(dir),
    endedAt,
  };
}
