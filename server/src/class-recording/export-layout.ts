import type { RecordingTrack } from '@educloud/protocol';

/** Who was the active speaker from `at` on (epoch ms; null: nobody). */
export interface SpeakerChange {
  at: number;
  peerId: string | null;
}

/** A video track shown in the export from `from` to `to` (seconds from the recording's start). */
export interface Shot {
  track: RecordingTrack;
  from: number;
  to: number;
}

/** The export's picture: cameras following the speaker, with shared content over them. */
export interface ExportLayout {
  cameras: Shot[];
  /** Screen shares and the bridged broadcast, shown whole while they run. */
  content: Shot[];
}

// What fills the picture while it runs, over whoever speaks.
const contentSources: ReadonlySet<string> = new Set(['screen', 'ingest']);

const length = (t: RecordingTrack, end: number) => (t.endedAt ?? end) - t.startedAt;

/**
 * Which video the export shows when: the active speaker's camera from each speaker change on,
 * the camera already shown while the speaker has none (or nobody speaks), else the longest
 * camera (the teacher's, usually); shared content over the cameras while it runs.
 */
export function exportLayout(
  tracks: RecordingTrack[],
  speakers: SpeakerChange[],
  startedAt: number,
  endedAt: number,
): ExportLayout {
  const video = tracks.filter((t) => t.kind === 'video' && t.file);
  const end = (t: RecordingTrack) => Math.min(t.endedAt ?? endedAt, endedAt);
  const sec = (ms: number) => Math.max(0, ms - startedAt) / 1000;
  const content = video
    .filter((t) => contentSources.has(t.source) && end(t) > t.startedAt)
    .map((track) => ({ track, from: sec(track.startedAt), to: sec(end(track)) }));
  const cams = video.filter((t) => !contentSources.has(t.source));
  const fallback = [...cams].sort((a, b) => length(b, endedAt) - length(a, endedAt))[0];
  const changes = [...speakers].sort((a, b) => a.at - b.at);
  const points = [
    ...new Set(
      [
        startedAt,
        endedAt,
        ...changes.map((c) => c.at),
        ...cams.flatMap((t) => [t.startedAt, end(t)]),
      ].filter((p) => p >= startedAt && p <= endedAt),
    ),
  ].sort((a, b) => a - b);

  const cameras: Shot[] = [];
  let shown: RecordingTrack | undefined;
  let speaker: string | null = null;
  let next = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    while (next < changes.length && changes[next]!.at <= a) speaker = changes[next++]!.peerId;
    const live = cams.filter((t) => t.startedAt <= a && end(t) >= b);
    const pick =
      live.filter((t) => t.peerId === speaker).sort((x, y) => y.startedAt - x.startedAt)[0] ??
      (shown && live.includes(shown) ? shown : undefined) ??
      (fallback && live.includes(fallback) ? fallback : undefined) ??
      [...live].sort((x, y) => length(y, endedAt) - length(x, endedAt))[0];
    shown = pick;
    if (!pick) continue;
    const last = cameras[cameras.length - 1];
    if (last && last.track === pick && last.to === sec(a)) last.to = sec(b);
    else cameras.push({ track: pick, from: sec(a), to: sec(b) });
  }
  return { cameras, content };
}
