import { randomUUID } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type {
  ClassRecordingRefusal,
  ClassRecordingStatus,
  RecordingTrack,
  TimelineEvent,
} from '@educloud/protocol';
import {
  formatBytes,
  getRecording,
  insertRecording,
  recordingPath,
  updateRecording,
  type IngestDatabase,
} from '@educloud/rtmp-ingest';
import { RoomRecorder, type RecordedTrackInfo, type Room, type Sfu } from '@educloud/sfu';
import {
  AckError,
  type ClassAtStart,
  type ClassRecordingControl,
  type LiveActivity,
} from '@educloud/signaling';
import { activityToTimeline } from './activity-timeline.js';
import { finalizeClassRecording } from './finalize-class-recording.js';
import { TimelineLog, TIMELINE_FILE } from './timeline-log.js';

export interface ClassRecordingsOptions {
  db: Kysely<IngestDatabase>;
  recordingsDir: string;
  /** Written on each recording, so start-up recovery on another node leaves it alone. */
  nodeId: string;
  sfu: Sfu;
  logger: Logger;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Recording is refused while the data dir's disk has less free space (0: no check). */
  minFreeDiskBytes: number;
  freeDiskBytes?: (dir: string) => Promise<number>;
  /** The per-teacher quota: a refusal message, or null to allow. */
  admit?: (classId: string) => Promise<{ message: string } | null>;
  segmentSeconds?: number;
  /** Whether the class records automatically when it goes live. */
  autoRecord?: (classId: string) => Promise<boolean>;
  /** Tells the class (start on its own, stop at shutdown). */
  onStatus?: (classId: string, status: ClassRecordingStatus) => void;
}

interface Active {
  id: string;
  classId: string;
  startedAt: number;
  dir: string;
  recorder: RoomRecorder;
  timeline: TimelineLog;
  names: Map<string, string>;
  /** The board page last written: the presenter's view moves often, its page seldom. */
  page: string | null;
  stopping?: Promise<void>;
}

const idle: ClassRecordingStatus = { recording: false, recordingId: null, startedAt: null };
/** How long a recording waits for its class's room to be rebuilt after a worker died. */
const FOLLOW_ATTEMPTS = 30;
const FOLLOW_EVERY_MS = 1000;

async function statfsFree(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/**
 * Records live classes: a RoomRecorder on the class's SFU room for the media, a timeline of
 * what happened beside it, and a row among the class's recordings (kind `class`).
 */
export class ClassRecordings implements ClassRecordingControl {
  private readonly active = new Map<string, Active>();
  private readonly finalizing = new Set<Promise<unknown>>();
  /** Why the last automatic start of a class was refused, until a recording starts in it. */
  private readonly refusals = new Map<string, ClassRecordingRefusal>();
  private readonly tools: { ffmpegPath: string; ffprobePath: string; logger: Logger };
  private readonly log: Logger;

  constructor(private readonly o: ClassRecordingsOptions) {
    this.log = o.logger.child({ part: 'class-recording' });
    this.tools = {
      ffmpegPath: o.ffmpegPath ?? 'ffmpeg',
      ffprobePath: o.ffprobePath ?? 'ffprobe',
      logger: this.log,
    };
  }

  status(classId: string): ClassRecordingStatus {
    const a = this.active.get(classId);
    const refused = this.refusals.get(classId);
    if (!a || a.stopping) return refused ? { ...idle, refused } : idle;
    return { recording: true, recordingId: a.id, startedAt: new Date(a.startedAt).toISOString() };
  }

  async start(
    classId: string,
    by: { userId: string; name: string },
    at: ClassAtStart,
  ): Promise<ClassRecordingStatus> {
    if (this.active.has(classId))
      throw new AckError('conflict', 'The class is already being recorded');
    await this.admit(classId);
    const id = randomUUID();
    const dir = recordingPath(this.o.recordingsDir, id);
    await mkdir(dir, { recursive: true });
    const startedAt = Date.now();
    await insertRecording(this.o.db, {
      id,
      classId,
      kind: 'class',
      nodeId: this.o.nodeId,
      title: `Class recording ${new Date(startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      startedAt: new Date(startedAt).toISOString(),
    });
    const timeline = new TimelineLog(join(dir, TIMELINE_FILE));
    const names = new Map(at.participants.map((p) => [p.peerId, p.name]));
    timeline.append({ type: 'recording', at: startedAt, state: 'started' });
    for (const p of at.participants) {
      timeline.append({ type: 'join', at: startedAt, peerId: p.peerId, name: p.name });
    }
    // Already presented: the replay and the export show it from the first second.
    if (at.onStage) timeline.append({ type: 'stage', at: startedAt, content: at.onStage });
    if (at.page) timeline.append({ type: 'page', at: startedAt, pageId: at.page });
    const room = await this.o.sfu.classRooms(classId).openMain();
    // Its recorder is set at once below: record() needs the recording it writes to.
    const a = { id, classId, startedAt, dir, timeline, names, page: at.page } as Active;
    a.recorder = this.record(a, room);
    this.active.set(classId, a);
    this.refusals.delete(classId);
    this.log.info({ classId, recordingId: id, by: by.userId }, 'class recording started');
    return this.status(classId);
  }

  /** Records `room` for `a`; if the room's worker dies, the recording follows the class. */
  private record(a: Active, room: Room, tracksBefore = 0): RoomRecorder {
    const track = (t: RecordedTrackInfo): RecordingTrack => ({
      trackId: t.trackId,
      peerId: t.peerId,
      name: a.names.get(t.peerId) ?? '',
      kind: t.kind,
      source: t.source,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
      file: `${t.trackId}.${t.finalExt}`,
    });
    const recorder = RoomRecorder.start({
      room,
      dir: a.dir,
      ffmpegPath: this.tools.ffmpegPath,
      logger: this.log.child({ recordingId: a.id }),
      segmentSeconds: this.o.segmentSeconds,
      tracksBefore,
      onTrackStarted: (t) =>
        a.timeline.append({ type: 'track', at: t.startedAt, state: 'started', track: track(t) }),
      onTrackEnded: (t) =>
        a.timeline.append({
          type: 'track',
          at: t.endedAt ?? Date.now(),
          state: 'ended',
          track: track(t),
        }),
      onActiveSpeaker: (peerId) => a.timeline.append({ type: 'speaker', at: Date.now(), peerId }),
    });
    room.once('close', ({ reason }) => {
      if (reason === 'workerDied') void this.follow(a, recorder);
    });
    return recorder;
  }

  /**
   * The class's room went with its worker (a class on one router: a spread class moves home
   * instead). The room is rebuilt on a live worker, and the recording goes on there, its tracks
   * numbered after the lost recorder's, until the teacher stops it.
   */
  private async follow(a: Active, lost: RoomRecorder): Promise<void> {
    const log = this.log.child({ recordingId: a.id });
    await lost.stop();
    // A replacement worker takes a moment to start.
    for (let attempt = 1; attempt <= FOLLOW_ATTEMPTS; attempt++) {
      if (a.stopping || this.active.get(a.classId) !== a) return;
      try {
        const room = await this.o.sfu.classRooms(a.classId).openMain();
        if (a.stopping || this.active.get(a.classId) !== a) return;
        a.recorder = this.record(a, room, lost.tracksBegun);
        log.warn({ attempt }, 'the class room was rebuilt after its worker died: recording there');
        return;
      } catch (err) {
        log.debug({ err, attempt }, 'the class room is not back yet');
        await new Promise((r) => setTimeout(r, FOLLOW_EVERY_MS));
      }
    }
    log.error('the class room did not come back: the recording has no media from here on');
  }

  /** The class went live: recording starts if the class is set to record automatically. */
  async classStarted(
    classId: string,
    by: { userId: string; name: string },
    at: ClassAtStart,
  ): Promise<ClassRecordingStatus | null> {
    // A refusal is about one going-live: the next one decides afresh.
    this.refusals.delete(classId);
    if (this.active.has(classId) || !(await this.o.autoRecord?.(classId))) return null;
    try {
      return await this.start(classId, by, at);
    } catch (err) {
      // A refusal (disk, quota) leaves the class live without a recording; the teachers are
      // told why, so they can free space or go on knowingly.
      this.log.warn({ err, classId }, 'automatic recording refused');
      const refused =
        err instanceof AckError
          ? { code: err.code, message: err.message }
          : { code: 'internal' as const, message: 'The recording could not start' };
      this.refusals.set(classId, refused);
      return { ...idle, refused };
    }
  }

  async stop(classId: string): Promise<ClassRecordingStatus> {
    const a = this.active.get(classId);
    if (!a) throw new AckError('conflict', 'The class is not being recorded');
    await this.finish(a);
    return idle;
  }

  /** What happened in a class, kept on its recording's timeline while one runs. */
  activity(e: LiveActivity): void {
    const a = this.active.get(e.classId);
    if (!a || a.stopping) return;
    const event: TimelineEvent | null = activityToTimeline(e, Date.now());
    if (!event) return;
    if (event.type === 'join') a.names.set(event.peerId, event.name);
    if (event.type === 'page') {
      if (event.pageId === a.page) return;
      a.page = event.pageId;
    }
    a.timeline.append(event);
  }

  /**
   * Stops the media (resolves then: the class is told at once) and finalizes in the background;
   * `finalizing` holds the finalizations still running (shutdown waits for them).
   */
  private finish(a: Active): Promise<void> {
    a.stopping ??= (async () => {
      const log = this.log.child({ recordingId: a.id });
      try {
        await a.recorder.stop();
        a.timeline.append({ type: 'recording', at: Date.now(), state: 'stopped' });
        await a.timeline.flush();
        await updateRecording(this.o.db, a.id, { status: 'finalizing' });
      } catch (err) {
        log.error({ err }, 'class recording could not be stopped cleanly');
      } finally {
        this.active.delete(a.classId);
      }
      const done = this.finalize(a.id, a.classId, a.startedAt)
        .catch(async (err: unknown) => {
          log.error({ err }, 'class recording could not be finalized');
          await updateRecording(this.o.db, a.id, { status: 'failed' }).catch(() => {});
        })
        .finally(() => this.finalizing.delete(done));
      this.finalizing.add(done);
    })();
    return a.stopping;
  }

  async finalize(id: string, classId: string, startedAt: number): Promise<'ready' | 'failed'> {
    const res = await finalizeClassRecording(
      recordingPath(this.o.recordingsDir, id),
      { recordingId: id, classId, startedAt },
      this.tools,
    );
    const status = res.ok ? 'ready' : 'failed';
    await updateRecording(this.o.db, id, {
      status,
      endedAt: new Date(res.endedAt).toISOString(),
      durationMs: res.durationMs,
      sizeBytes: res.sizeBytes,
    });
    this.log.info(
      { recordingId: id, status, durationMs: res.durationMs },
      'class recording finalized',
    );
    return status;
  }

  /** Ids being recorded by this process (recovery and deletion leave them alone). */
  liveIds(): Set<string> {
    return new Set([...this.active.values()].map((a) => a.id));
  }

  /** SIGTERM: every running recording is stopped and finalized; the classes are told. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.active.values()].map(async (a) => {
        await this.finish(a);
        this.o.onStatus?.(a.classId, idle);
      }),
    );
    await Promise.all([...this.finalizing]);
  }

  /** Is the recording still there (the class deleted it meanwhile)? */
  async exists(id: string): Promise<boolean> {
    return (await getRecording(this.o.db, id)) !== null;
  }

  private async admit(classId: string): Promise<void> {
    if (this.o.minFreeDiskBytes > 0) {
      const free = await (this.o.freeDiskBytes ?? statfsFree)(this.o.recordingsDir);
      if (free < this.o.minFreeDiskBytes) {
        throw new AckError(
          'conflict',
          `The server's disk is almost full (${formatBytes(free)} free, ` +
            `${formatBytes(this.o.minFreeDiskBytes)} needed): recording cannot start`,
        );
      }
    }
    const refusal = await this.o.admit?.(classId);
    if (refusal) throw new AckError('conflict', refusal.message);
  }
}
