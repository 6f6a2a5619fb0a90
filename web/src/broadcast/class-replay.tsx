import DownloadIcon from '@mui/icons-material/Download';
import PauseIcon from '@mui/icons-material/Pause';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Select from '@mui/material/Select';
import Slider from '@mui/material/Slider';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Tldraw, type Editor, type TLRecord } from 'tldraw';
import 'tldraw/tldraw.css';
import type { ClassReplayResponse, RecordingTrack, TimelineEvent } from '@educloud/protocol';
import { ApiError } from '../api/api-error.js';
import { useApi } from '../auth/session-context.js';
import { getBoardAt, getClassReplay, startClassExport } from './broadcast-api.js';
import { formatDuration } from './recording-format.js';
import { showBoardRecords } from './show-board-records.js';

const assetUrls = getAssetUrlsByImport();
const SPEEDS = [0.5, 1, 1.5, 2];
// The board is fetched again this often while playing (it changes at the speed of drawing);
// paused or seeked, it is fetched for the exact moment.
const BOARD_REFRESH_MS = 1000;
// A recording just stopped is ready within seconds: the page asks again this often meanwhile.
const NOT_READY_RETRY_MS = 500;

/** The board the replay shows: the moment it was fetched for and its tldraw records. */
export interface ReplayBoardState {
  at: number;
  records: TLRecord[];
}

/** Handle for tests and debugging in the browser console. */
declare global {
  interface Window {
    educloudReplay?: {
      startedAt: number;
      endedAt: number;
      seek(ms: number): void;
      board(): ReplayBoardState | null;
    };
  }
}

const activeAt = (t: RecordingTrack, at: number) =>
  t.file !== null && t.startedAt <= at && (t.endedAt ?? Infinity) > at;

/**
 * What the last timeline event `pick` answers for (undefined: not its kind) says at `at`: the
 * speaker, the presenter's page… null before any such event.
 */
function lastAt<T>(
  timeline: TimelineEvent[],
  at: number,
  pick: (e: TimelineEvent) => T | null | undefined,
): T | null {
  let value: T | null = null;
  for (const e of timeline) {
    if (e.at > at) break;
    const v = pick(e);
    if (v !== undefined) value = v;
  }
  return value;
}

/** Keeps a media element on the replay clock: right source, position, rate, play state. */
function SyncedMedia(props: {
  kind: 'video' | 'audio';
  src: string | null;
  offsetMs: number;
  atMs: number;
  playing: boolean;
  speed: number;
  testId: string;
}) {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  const { src, offsetMs, atMs, playing, speed } = props;
  useEffect(() => {
    const el = ref.current;
    if (!el || !src) return;
    const want = Math.max(0, (atMs - offsetMs) / 1000);
    // Corrected only when it drifts: seeking a media element on every frame stalls it.
    if (Math.abs(el.currentTime - want) > 0.4) el.currentTime = want;
    el.playbackRate = speed;
    if (playing && el.paused) void el.play().catch(() => {});
    if (!playing && !el.paused) el.pause();
  }, [src, offsetMs, atMs, playing, speed]);
  if (!src) return null;
  return props.kind === 'video' ? (
    <video
      ref={ref}
      src={src}
      muted
      playsInline
      data-testid={props.testId}
      style={{ width: '100%', background: '#000', borderRadius: 4 }}
    />
  ) : (
    <audio ref={ref} src={src} data-testid={props.testId} />
  );
}

/** The whiteboard as it was at the playhead, read-only. */
function ReplayBoard(props: {
  classId: string;
  rid: string;
  at: number;
  /** The presenter's page then; null: the page the viewer is on stays. */
  pageId: string | null;
  playing: boolean;
  onBoard: (b: ReplayBoardState) => void;
}) {
  const api = useApi();
  const [editor, setEditor] = useState<Editor | null>(null);
  const [shapeIds, setShapeIds] = useState<string[]>([]);
  const [shownAt, setShownAt] = useState<number | null>(null);
  const [shownPage, setShownPage] = useState<string | null>(null);
  const { classId, rid, at, pageId, playing, onBoard } = props;
  const fetchAt = playing ? Math.floor(at / BOARD_REFRESH_MS) * BOARD_REFRESH_MS : Math.round(at);
  useEffect(() => {
    if (!editor) return;
    let cancelled = false;
    void getBoardAt(api, classId, rid, fetchAt).then((board) => {
      if (cancelled) return;
      const keep = showBoardRecords(editor, board.records as unknown as TLRecord[]);
      setShapeIds(
        keep
          .filter((r) => r.typeName === 'shape')
          .map((r) => r.id)
          .sort(),
      );
      setShownAt(fetchAt);
      onBoard({ at: fetchAt, records: keep });
    });
    return () => {
      cancelled = true;
    };
  }, [api, classId, rid, fetchAt, editor, onBoard]);
  // The presenter's page, once the board shown has it (a page made later is not there yet).
  useEffect(() => {
    if (!editor || !pageId) return;
    const page = editor.getPages().find((p) => p.id === pageId);
    if (page && editor.getCurrentPageId() !== page.id) editor.setCurrentPage(page.id);
    setShownPage(editor.getCurrentPageId());
  }, [editor, pageId, shapeIds, shownAt]);
  return (
    <Box
      sx={{ height: 360, position: 'relative' }}
      data-testid="replay-board"
      data-shape-ids={shapeIds.join(',')}
      data-board-at={shownAt ?? ''}
      data-page-id={shownPage ?? ''}
    >
      <Tldraw
        assetUrls={assetUrls}
        onMount={(e) => {
          e.updateInstanceState({ isReadonly: true });
          setEditor(e);
        }}
      />
    </Box>
  );
}

/** Replay of a recorded class: speaker and screen, the board at the playhead, chat in step. */
export function ClassReplay({ classId, rid }: { classId: string; rid: string }) {
  const api = useApi();
  const [replay, setReplay] = useState<ClassReplayResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pos, setPos] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [preparing, setPreparing] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const board = useRef<ReplayBoardState | null>(null);
  const onBoard = useCallback((b: ReplayBoardState) => {
    board.current = b;
  }, []);
  const load = useCallback(
    () =>
      getClassReplay(api, classId, rid).then(
        (r) => {
          setPreparing(false);
          setReplay(r);
        },
        (err: unknown) => {
          // `conflict`: stopped moments ago and still being closed; asked again shortly.
          if (err instanceof ApiError && err.code === 'conflict') setPreparing(true);
          else setError(err instanceof Error ? err.message : 'The replay could not be loaded');
        },
      ),
    [api, classId, rid],
  );
  useEffect(() => void load(), [load, attempt]);
  useEffect(() => {
    if (!preparing) return;
    const timer = setTimeout(() => setAttempt((n) => n + 1), NOT_READY_RETRY_MS);
    return () => clearTimeout(timer);
  }, [preparing, attempt]);
  const duration = replay ? replay.manifest.endedAt - replay.manifest.startedAt : 0;
  useEffect(() => {
    if (!replay) return;
    const { startedAt, endedAt } = replay.manifest;
    window.educloudReplay = {
      startedAt,
      endedAt,
      seek: (ms) => setPos(Math.max(0, ms)),
      board: () => board.current,
    };
    return () => {
      delete window.educloudReplay;
    };
  }, [replay]);

  // The replay clock: wall time times the speed while playing.
  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function tick(now) {
      const dt = (now - last) * speed;
      last = now;
      setPos((p) => {
        const next = Math.min(duration, p + dt);
        if (next >= duration) setPlaying(false);
        return next;
      });
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, speed, duration]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement | null)?.closest('input, textarea, .tl-container')) return;
      if (e.key === ' ' || e.key === 'k') {
        e.preventDefault();
        setPlaying((p) => !p);
      } else if (e.key === 'ArrowRight') setPos((p) => Math.min(duration, p + 5000));
      else if (e.key === 'ArrowLeft') setPos((p) => Math.max(0, p - 5000));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [duration]);

  // Export progress is polled while it runs.
  const exporting = replay?.export.status === 'running';
  useEffect(() => {
    if (!exporting) return;
    const timer = setInterval(() => void load(), 1000);
    return () => clearInterval(timer);
  }, [exporting, load]);

  const view = useMemo(() => {
    if (!replay) return null;
    const start = replay.manifest.startedAt;
    const at = start + pos;
    const tracks = replay.manifest.tracks;
    const screen = tracks.find(
      (t) => t.kind === 'video' && t.source === 'screen' && activeAt(t, at),
    );
    // The last active speaker; with none yet, the first camera.
    const speaker = lastAt(replay.timeline, at, (e) =>
      e.type === 'speaker' ? e.peerId : undefined,
    );
    const cameras = tracks.filter(
      (t) => t.kind === 'video' && t.source !== 'screen' && activeAt(t, at),
    );
    const camera = cameras.find((t) => t.peerId === speaker) ?? cameras[0];
    const audio = tracks.filter((t) => t.kind === 'audio' && activeAt(t, at));
    const chat = replay.timeline.filter((e) => e.type === 'chat' && e.at <= at);
    const page = lastAt(replay.timeline, at, (e) => (e.type === 'page' ? e.pageId : undefined));
    return { start, at, screen, camera, audio, chat, page };
  }, [replay, pos]);

  const chatEnd = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Not returned: Chromium's scrollIntoView now returns a Promise, which React would take
    // for this effect's cleanup and call (the page crashed when the chat shrank on a seek).
    chatEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [view?.chat.length]);

  if (error) return <Alert severity="warning">{error}</Alert>;
  if (preparing && !replay) {
    return (
      <Stack spacing={1} data-testid="replay-preparing">
        <Typography>The recording has just stopped; its replay is being prepared…</Typography>
        <LinearProgress />
      </Stack>
    );
  }
  if (!replay || !view) return <LinearProgress />;
  const url = (file: string) => `${replay.filesUrl}${file}`;
  const marks = replay.timeline.flatMap((e) => {
    const value = e.at - view.start;
    if (e.type === 'track' && e.track.source === 'screen' && e.state === 'started') {
      return [{ value, label: 'Screen' }];
    }
    if (e.type === 'poll' && e.state === 'opened') return [{ value, label: 'Poll' }];
    if (e.type === 'breakout' && (e.action === 'opened' || e.action === 'closed')) {
      return [{ value, label: e.action === 'opened' ? 'Breakouts' : 'Back' }];
    }
    if (e.type === 'page') return [{ value, label: 'Page' }];
    if (e.type === 'chat') return [{ value }];
    return [];
  });

  return (
    <Stack spacing={2} data-testid="class-replay" data-position-ms={Math.round(pos)}>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
        <Box sx={{ flex: 2 }}>
          <SyncedMedia
            kind="video"
            testId="replay-screen"
            src={view.screen ? url(view.screen.file!) : null}
            offsetMs={(view.screen?.startedAt ?? 0) - view.start}
            atMs={pos}
            playing={playing}
            speed={speed}
          />
          <ReplayBoard
            classId={classId}
            rid={rid}
            at={view.at}
            pageId={view.page}
            playing={playing}
            onBoard={onBoard}
          />
        </Box>
        <Stack sx={{ flex: 1 }} spacing={1}>
          <SyncedMedia
            kind="video"
            testId="replay-speaker"
            src={view.camera ? url(view.camera.file!) : null}
            offsetMs={(view.camera?.startedAt ?? 0) - view.start}
            atMs={pos}
            playing={playing}
            speed={speed}
          />
          {view.camera && <Typography variant="caption">{view.camera.name}</Typography>}
          {view.audio.map((a) => (
            <SyncedMedia
              key={a.trackId}
              kind="audio"
              testId="replay-audio"
              src={url(a.file!)}
              offsetMs={a.startedAt - view.start}
              atMs={pos}
              playing={playing}
              speed={speed}
            />
          ))}
          <Paper
            variant="outlined"
            sx={{ p: 1, height: 240, overflowY: 'auto' }}
            data-testid="replay-chat"
          >
            {view.chat.map((e) =>
              e.type === 'chat' ? (
                <Typography key={e.messageId} variant="body2" data-testid="replay-chat-item">
                  <b>{e.from}</b>: {e.text}
                </Typography>
              ) : null,
            )}
            <div ref={chatEnd} />
          </Paper>
        </Stack>
      </Stack>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <IconButton
          aria-label={playing ? 'Pause' : 'Play'}
          data-testid="replay-play"
          onClick={() => setPlaying((p) => !p)}
        >
          {playing ? <PauseIcon /> : <PlayArrowIcon />}
        </IconButton>
        <Slider
          aria-label="Position"
          value={pos}
          min={0}
          max={Math.max(1, duration)}
          marks={marks}
          onChange={(_e, v) => setPos(v as number)}
          data-testid="replay-seek"
        />
        <Typography variant="body2" sx={{ whiteSpace: 'nowrap' }}>
          {formatDuration(pos)} / {formatDuration(duration)}
        </Typography>
        <Select
          size="small"
          value={speed}
          onChange={(e) => setSpeed(Number(e.target.value))}
          aria-label="Speed"
        >
          {SPEEDS.map((s) => (
            <MenuItem key={s} value={s}>
              {s}×
            </MenuItem>
          ))}
        </Select>
      </Stack>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        {replay.export.status === 'ready' && replay.export.url ? (
          <Button startIcon={<DownloadIcon />} href={replay.export.url} variant="contained">
            Download MP4
          </Button>
        ) : (
          <Button
            disabled={exporting}
            onClick={() =>
              void startClassExport(api, classId, rid).then(load, () =>
                setError('Only teachers can export'),
              )
            }
          >
            {exporting ? `Exporting… ${Math.round(replay.export.progress * 100)}%` : 'Export MP4'}
          </Button>
        )}
        {replay.manifest.tracks
          .filter((t) => t.file)
          .map((t) => (
            <Button key={t.trackId} size="small" href={url(t.file!)} download>
              {t.name || t.peerId} {t.source}
            </Button>
          ))}
        <Button size="small" href={url('timeline.jsonl')} download>
          Timeline
        </Button>
      </Stack>
      {replay.export.warning ? (
        <Alert severity="warning" data-testid="export-warning">
          {replay.export.warning}
        </Alert>
      ) : null}
    </Stack>
  );
}
