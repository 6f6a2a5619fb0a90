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

/** A stretch of the export (seconds from the recording's start). */
export interface Span {
  from: number;
  to: number;
}

/** What the whiteboard did during the recording (epoch ms), when its pictures exist. */
export interface BoardActivity {
  /** Moments the board changed (its collab updates). */
  changes: number[];
  /** What was on stage from `at` on (the timeline's 'stage' events). */
  stage: { at: number; content: 'board' | 'notes' | null }[];
}

/** The export's picture: cameras following the speaker, with shared content over them. */
export interface ExportLayout {
  cameras: Shot[];
  /** Screen shares and the bridged broadcast, shown whole while they run. */
  content: Shot[];
  /** The whiteboard, whole, where no content runs. */
  board: Span[];
  /** The speaker's camera, small in a corner, while the board or content fills the picture. */
  pip: Shot[];
}

/** After a change, the board fills the picture this long (it is being drawn on). */
export const BOARD_DRAWING_HOLD_MS = 8000;

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
  board?: BoardActivity,
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
  const covered = merge(content);
  const boardSpans = board
    ? subtract(merge(boardShown(board, startedAt, endedAt).map(toSec)), covered)
    : [];
  const filled = merge([...covered, ...boardSpans]);
  const pip = cameras.flatMap((shot) =>
    intersect([shot], filled).map((s) => ({ track: shot.track, from: s.from, to: s.to })),
  );
  return { cameras, content, board: boardSpans, pip };

  function toSec(s: { from: number; to: number }): Span {
    return { from: sec(s.from), to: sec(Math.min(s.to, endedAt)) };
  }
}

/**
 * When the board fills the picture (epoch ms): what the teacher presented wins, so while the
 * board is on stage, and while it is being drawn on (a while after each change) unless notes
 * are on stage. Screen shares and the broadcast are taken out by the caller: they win over both.
 */
function boardShown(b: BoardActivity, startedAt: number, endedAt: number) {
  const out: { from: number; to: number }[] = [];
  const stage = [...b.stage].sort((x, y) => x.at - y.at);
  let content: 'board' | 'notes' | null = null;
  let since = startedAt;
  const close = (at: number) => {
    if (content === 'board') out.push({ from: since, to: at });
    else if (content === null) drawnOn(since, at);
  };
  const drawnOn = (from: number, to: number) => {
    for (const c of b.changes) {
      const a = Math.max(c, from);
      const z = Math.min(c + BOARD_DRAWING_HOLD_MS, to);
      if (z > a) out.push({ from: a, to: z });
    }
  };
  for (const e of stage) {
    if (e.at > endedAt) break;
    const at = Math.max(e.at, startedAt);
    close(at);
    content = e.content;
    since = at;
  }
  close(endedAt);
  return out.filter((s) => s.to > s.from);
}

/** Sorted, overlapping or touching spans joined. */
function merge(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else if (s.to > s.from) out.push({ from: s.from, to: s.to });
  }
  return out;
}

/** The parts of `spans` outside `cut` (both merged). */
function subtract(spans: Span[], cut: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    let from = s.from;
    for (const c of cut) {
      if (c.to <= from || c.from >= s.to) continue;
      if (c.from > from) out.push({ from, to: c.from });
      from = Math.max(from, c.to);
    }
    if (s.to > from) out.push({ from, to: s.to });
  }
  return out;
}

/** The parts of `spans` inside `keep` (merged). */
function intersect(spans: Span[], keep: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    for (const k of keep) {
      const from = Math.max(s.from, k.from);
      const to = Math.min(s.to, k.to);
      if (to > from) out.push({ from, to });
    }
  }
  return out;
}
