import type { Kysely } from 'kysely';
import type { IngestDatabase } from './schema.js';
import { join } from 'node:path';
import {
  BroadcastManager,
  type AttachedReader,
  type BroadcastEvent,
  type IngestEvents,
  type ReaderSpec,
} from './broadcasts.js';
import { runTool } from './media-tools.js';
import { createIngestMetrics } from './metrics.js';
import { parseOptions, type IngestOptionsInput } from './options.js';
import type { BroadcastNotice } from '@educloud/protocol';
import {
  deleteClassRecordings,
  deleteRecording,
  getRecording,
  listRecordings,
  listUnfinishedRecordings,
  recordingBytes,
  recordingPath,
  renameRecording,
  setRecordingPublic,
  unpublishClassRecordings,
  type Recording,
} from './recordings.js';
import { liveOnAnotherNode } from './live-elsewhere.js';
import { recoverRecordings, type RecoveredRecording } from './recovery.js';
import { startRtmpListener, type RtmpListener } from './rtmp-listener.js';

export { ingestMigrations } from './migrations.js';
export { DEFAULT_LADDER, ingestOptionsSchema } from './options.js';
export { formatBytes } from './human-units.js';
export type {
  AdmitBroadcast,
  IngestOptions,
  IngestOptionsInput,
  Rendition,
  RenditionInput,
  VerifyStreamKey,
} from './options.js';
export type { IngestDatabase, RecordingsTable, RecordingStatus } from './schema.js';
export {
  RecordingBusyError,
  deleteRecording,
  getRecording,
  insertRecording,
  listRecordings,
  listUnfinishedRecordings,
  recordingBytes,
  recordingDir,
  recordingPath,
  renameRecording,
  setRecordingPublic,
  updateRecording,
  type Recording,
} from './recordings.js';
export { runTool, probeDurationSec } from './media-tools.js';
export { stopOrphanWriter } from './orphan-writer.js';
export { recoverRecordings, type RecoveredRecording, type RecoveryOptions } from './recovery.js';
export type { AttachedReader, BroadcastEvent, IngestEvents, ReaderSpec } from './broadcasts.js';
export { rtpBridgeArgs, type RtpBridgeArgsInput, type RtpOutput } from './rtp-bridge-args.js';
export { MASTER_PLAYLIST, MEDIA_PLAYLIST, RECORDING_MP4 } from './finalize.js';

export interface RecordingsApi {
  list(classId: string): Promise<Recording[]>;
  get(id: string): Promise<Recording | null>;
  rename(id: string, title: string): Promise<Recording | null>;
  setPublic(id: string, isPublic: boolean): Promise<Recording | null>;
  /** Removes the row and its files; throws RecordingBusyError while live or finalizing. */
  delete(id: string): Promise<boolean>;
  /**
   * For a deleted class: stops its broadcast (finalizing the recording), then removes every
   * recording's row and files. Returns how many were removed.
   */
  deleteForClass(classId: string): Promise<number>;
  /** For a deleted class whose recordings are kept: stops its broadcast, makes them private. */
  unpublishForClass(classId: string): Promise<void>;
  /** Bytes stored by the finished recordings of these classes (a teacher's quota). */
  bytesUsed(classIds: readonly string[]): Promise<number>;
  /**
   * The recording id of a broadcast of the class that another node (sharing the database and
   * the recordings directory) is receiving now, or null.
   */
  liveOnAnotherNode(classId: string): Promise<string | null>;
}

/** The recordings table without a running ingest (class recordings when RTMP is off). */
export function recordingsStore(
  db: Kysely<IngestDatabase>,
  dataDir: string,
): Pick<RecordingsApi, 'list' | 'get' | 'rename' | 'setPublic' | 'delete' | 'bytesUsed'> {
  return {
    list: (classId) => listRecordings(db, classId),
    get: (id) => getRecording(db, id),
    rename: (id, title) => renameRecording(db, id, title),
    setPublic: (id, isPublic) => setRecordingPublic(db, id, isPublic),
    delete: (id) => deleteRecording(db, dataDir, id),
    bytesUsed: (classIds) => recordingBytes(db, classIds),
  };
}

export interface IngestHandle {
  /** The RTMP port actually bound (useful with port 0). */
  readonly port: number;
  readonly recordings: RecordingsApi;
  /** Stops packagers gracefully, finalizes live recordings, closes the listener. */
  close(): Promise<void>;
  isLive(classId: string): boolean;
  liveClasses(): BroadcastEvent[];
  on(event: keyof IngestEvents, listener: (e: BroadcastEvent) => void): this;
  off(event: keyof IngestEvents, listener: (e: BroadcastEvent) => void): this;
  /** The last refusal or forced stop of a broadcast of the class (for its teachers). */
  notice(classId: string): BroadcastNotice | null;
  /** Ends the class's broadcast now (no reconnect grace); resolves once it is finalized. */
  stopBroadcast(classId: string): Promise<void>;
  /** The publisher's ingest bitrate in bit/s (sampled every 2 s), or null when not live. */
  bitrate(classId: string): number | null;
  /**
   * Runs an extra ffmpeg reading the class's live stream (for example the WebRTC bridge),
   * supervised like the packager and stopped when the broadcast ends. Null when not live.
   */
  attachReader(classId: string, spec: ReaderSpec): AttachedReader | null;
  /** Absolute directory holding index.m3u8, master.m3u8, segments and recording.mp4. */
  hlsDir(recordingId: string): string;
  /** Finalizes what a previous process left live; excludes this process's own broadcasts. */
  recoverRecordings(): Promise<RecoveredRecording[]>;
  /** The background recovery started by start() (resolves to [] when recoverOnStart is off). */
  readonly recovered: Promise<RecoveredRecording[]>;
}

export async function start(input: IngestOptionsInput): Promise<IngestHandle> {
  const o = parseOptions(input);
  const logger = o.logger.child({ component: 'rtmp-ingest' });
  const tools = { ffmpegPath: o.ffmpegPath, ffprobePath: o.ffprobePath };
  // Fail at boot, not at the first broadcast, when ffmpeg is missing.
  for (const tool of [o.ffmpegPath, o.ffprobePath]) {
    const res = await runTool(tool, ['-version'], 10_000).catch((err: unknown) => err);
    if (res instanceof Error || (res as { code: number | null }).code !== 0) {
      throw new Error(`rtmp-ingest: ${tool} is not usable`, { cause: res });
    }
  }
  // Listed before the listener exists, so recovery can never pick up a recording of ours.
  const recordingsDir = o.recordingsDir ?? join(o.dataDir, 'recordings');
  const stale = o.recoverOnStart ? await listUnfinishedRecordings(o.db, o.nodeId) : [];

  const metrics = createIngestMetrics(o.registry);
  let listener: RtmpListener | undefined;
  const manager = new BroadcastManager({
    db: o.db,
    recordingsDir,
    // A configured recordings dir exists (shared storage); the default one only once written.
    diskDir: o.recordingsDir ?? o.dataDir,
    nodeId: o.nodeId,
    logger,
    metrics,
    verifyStreamKey: o.verifyStreamKey,
    hls: o.hls,
    ...tools,
    readTimeoutMs: o.readTimeoutMs,
    inputUrl: (key) => listener!.inputUrl(key),
    maxBroadcastMs: o.maxBroadcastSeconds * 1000,
    maxLengthCooldownMs: o.maxLengthCooldownSeconds * 1000,
    minFreeDiskBytes: o.minFreeDiskBytes,
    freeDiskBytes: o.freeDiskBytes,
    admitBroadcast: o.admitBroadcast,
  });
  try {
    listener = await startRtmpListener({
      host: o.host,
      port: o.port,
      graceMs: o.reconnectGraceMs,
      verifyTimeoutMs: o.verifyTimeoutMs,
      logger,
      admit: (key, remote) => manager.admit(key, remote),
      onPublish: (p) => manager.onPublish(p),
      onPublishEnd: (p) => manager.onPublishEnd(p),
    });
  } catch (err) {
    await manager.closeAll();
    metrics.remove();
    throw err;
  }
  const rtmp = listener;

  const recoveryOptions = () => ({
    db: o.db,
    recordingsDir,
    nodeId: o.nodeId,
    logger,
    ...tools,
    exclude: manager.liveRecordingIds(),
  });
  const recovered =
    stale.length > 0
      ? recoverRecordings(recoveryOptions(), stale).catch((err: unknown) => {
          logger.error({ err }, 'recording recovery failed');
          return [];
        })
      : Promise.resolve([]);

  let closing: Promise<void> | null = null;
  const handle: IngestHandle = {
    port: rtmp.port,
    recordings: {
      list: (classId) => listRecordings(o.db, classId),
      get: (id) => getRecording(o.db, id),
      rename: (id, title) => renameRecording(o.db, id, title),
      setPublic: (id, isPublic) => setRecordingPublic(o.db, id, isPublic),
      delete: (id) => deleteRecording(o.db, recordingsDir, id),
      async deleteForClass(classId) {
        await manager.stopBroadcast(classId);
        return deleteClassRecordings(o.db, recordingsDir, classId, manager.liveRecordingIds());
      },
      async unpublishForClass(classId) {
        await manager.stopBroadcast(classId);
        await unpublishClassRecordings(o.db, classId);
      },
      bytesUsed: (classIds) => recordingBytes(o.db, classIds),
      liveOnAnotherNode: (classId) =>
        liveOnAnotherNode(
          o.db,
          // A few segments without a new one: that node stopped writing.
          { recordingsDir, nodeId: o.nodeId, staleAfterMs: o.hls.segmentSeconds * 5000 + 5000 },
          classId,
        ),
    },
    close() {
      closing ??= (async () => {
        rtmp.stopAccepting();
        await manager.closeAll();
        await rtmp.close();
        await recovered;
        metrics.remove();
        logger.info('rtmp ingest closed');
      })();
      return closing;
    },
    isLive: (classId) => manager.isLive(classId),
    liveClasses: () => manager.liveClasses(),
    on(event, fn) {
      manager.on(event, fn);
      return handle;
    },
    off(event, fn) {
      manager.off(event, fn);
      return handle;
    },
    notice: (classId) => manager.notice(classId),
    stopBroadcast: (classId) => manager.stopBroadcast(classId),
    bitrate: (classId) => manager.bitrate(classId),
    attachReader: (classId, spec) => manager.attachReader(classId, spec),
    hlsDir: (recordingId) => recordingPath(recordingsDir, recordingId),
    recoverRecordings: () => recoverRecordings(recoveryOptions()),
    recovered,
  };
  logger.info({ port: rtmp.port, recordingsDir, nodeId: o.nodeId }, 'rtmp ingest started');
  return handle;
}
