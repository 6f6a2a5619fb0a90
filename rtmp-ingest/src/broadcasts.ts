import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BroadcastNotice } from '@educloud/protocol';
import { finalizeRecordingDir, MASTER_PLAYLIST, MEDIA_PLAYLIST } from './finalize.js';
import { packagerArgs } from './hls-args.js';
import { formatBytes, formatDuration } from './human-units.js';
import type { IngestMetrics } from './metrics.js';
import type { AdmitBroadcast, IngestOptions, VerifyStreamKey } from './options.js';
import { segmentSeconds } from './options.js';
import { Packager } from './packager.js';
import { masterPlaylist, writeFileAtomic } from './playlist.js';
import { insertRecording, recordingPath, updateRecording } from './recordings.js';
import type { AdmitResult, Publisher } from './rtmp-listener.js';
import type { IngestDatabase } from './schema.js';
import { keyFingerprint, redactKeys } from './stream-key.js';

export interface BroadcastEvent {
  classId: string;
  recordingId: string;
}

export interface IngestEvents {
  broadcastStarted: [BroadcastEvent];
  broadcastEnded: [BroadcastEvent];
}

interface Broadcast {
  key: string;
  classId: string;
  recordingId: string;
  dir: string;
  publisher: Publisher;
  packager: Packager;
  /** Resolves once the row, directory and packager exist; false if setting up failed. */
  started: Promise<boolean>;
  /** broadcastStarted was emitted, so broadcastEnded must follow. */
  announced: boolean;
  lastBytes: number;
  lastSampleAt: number;
  bitrateBps: number;
  /** Extra ffmpeg readers of the live stream (the WebRTC bridge), supervised like the packager. */
  readers: Set<Packager>;
  /** Stops the broadcast at its maximum length. */
  limitTimer: NodeJS.Timeout | null;
  /** Settles once the recording is finalized (or given up). */
  finished: Promise<void> | null;
}

export interface ReaderSpec {
  /** ffmpeg's arguments, given the loopback RTMP URL of the live stream. */
  args: (inputUrl: string) => string[];
  /** For logs. */
  name: string;
}

export interface AttachedReader {
  /** Stops the reader (SIGINT, then SIGKILL after a timeout). */
  stop(): Promise<void>;
}

export interface BroadcastManagerOptions {
  db: Kysely<IngestDatabase>;
  /** Where recordings are written: `<recordingsDir>/<id>`. */
  recordingsDir: string;
  /** An existing directory on the recordings' file system, whose free space is checked. */
  diskDir: string;
  /** Marks the recordings this node writes, for start-up recovery. */
  nodeId: string;
  logger: Logger;
  metrics: IngestMetrics;
  verifyStreamKey: VerifyStreamKey;
  hls: IngestOptions['hls'];
  ffmpegPath: string;
  ffprobePath: string;
  readTimeoutMs: number;
  inputUrl: (key: string) => string;
  /** 0: no limit. */
  maxBroadcastMs: number;
  /** How long a class stopped at the maximum length cannot start a new broadcast. */
  maxLengthCooldownMs: number;
  /** 0: no check. */
  minFreeDiskBytes: number;
  freeDiskBytes: (dir: string) => Promise<number>;
  admitBroadcast?: AdmitBroadcast;
}

// Used as the source BANDWIDTH until finalization measures the real peak.
const SOURCE_BANDWIDTH_GUESS = 6_000_000;
const BITRATE_SAMPLE_MS = 2000;
const DISK_CHECK_MS = 5000;

/**
 * Turns accepted publishes into recordings: one broadcast per stream key and per class, a
 * supervised packager each, and finalization when the publish ends for good.
 */
export class BroadcastManager extends EventEmitter<IngestEvents> {
  private readonly byKey = new Map<string, Broadcast>();
  private readonly byClass = new Map<string, Broadcast>();
  private readonly finishing = new Set<Promise<void>>();
  /** The last refusal or forced stop per class, for its teachers. */
  private readonly notices = new Map<string, BroadcastNotice>();
  /**
   * Classes stopped at the maximum length, until when: OBS reconnects on its own, and would
   * otherwise start a fresh broadcast of the same forgotten stream at once.
   */
  private readonly cooldowns = new Map<string, number>();
  private readonly sampler: NodeJS.Timeout;
  private diskWatch: NodeJS.Timeout | null = null;
  private watchingDisk = false;

  constructor(private readonly o: BroadcastManagerOptions) {
    super();
    this.sampler = setInterval(() => this.sampleBitrates(), BITRATE_SAMPLE_MS);
    this.sampler.unref();
    if (o.minFreeDiskBytes > 0) {
      this.diskWatch = setInterval(() => void this.watchDisk(), DISK_CHECK_MS);
      this.diskWatch.unref();
    }
  }

  isLive(classId: string): boolean {
    return this.byClass.has(classId);
  }

  liveClasses(): BroadcastEvent[] {
    return [...this.byClass.values()].map((b) => ({
      classId: b.classId,
      recordingId: b.recordingId,
    }));
  }

  liveRecordingIds(): Set<string> {
    return new Set([...this.byKey.values()].map((b) => b.recordingId));
  }

  /** The publisher's measured bitrate (bit/s, sampled every 2 s), or null when not live. */
  bitrate(classId: string): number | null {
    return this.byClass.get(classId)?.bitrateBps ?? null;
  }

  /**
   * Runs another ffmpeg on the class's live stream for as long as the broadcast lasts: restarted
   * with backoff if it dies while the publisher is live, resumed with the publisher, stopped
   * when the broadcast ends. Null when the class is not live (or the broadcast is ending).
   */
  attachReader(classId: string, spec: ReaderSpec): AttachedReader | null {
    const b = this.byClass.get(classId);
    if (!b) return null;
    const reader: Packager = new Packager({
      ffmpegPath: this.o.ffmpegPath,
      args: spec.args(this.o.inputUrl(b.key)),
      dir: b.dir,
      pidFile: null,
      logger: this.o.logger.child({ recordingId: b.recordingId, reader: spec.name }),
      publisherLive: () => b.publisher.live(),
      onRestart: () => this.o.metrics.packagerRestarts.inc(),
      redact: redactKeys,
    });
    b.readers.add(reader);
    void b.started.then((ok) => {
      if (ok && b.readers.has(reader)) reader.start();
    });
    return {
      stop: async () => {
        b.readers.delete(reader);
        await reader.stop();
      },
    };
  }

  async admit(key: string, _remoteAddress: string): Promise<AdmitResult> {
    const verdict = await this.o.verifyStreamKey(key);
    if (!verdict) return { ok: false, reason: 'invalid stream key' };
    const existing = this.byKey.get(key);
    if (existing && existing.classId !== verdict.classId) {
      return { ok: false, reason: 'stream key belongs to another class now' };
    }
    const classLive = this.byClass.get(verdict.classId);
    if (classLive && classLive.key !== key) {
      return { ok: false, reason: 'class is already live with another stream key' };
    }
    // A publisher resuming inside the grace continues its recording: no new checks.
    if (!existing) {
      const refusal = await this.policyRefusal(verdict.classId);
      if (refusal) {
        this.notices.set(verdict.classId, { ...refusal, at: new Date().toISOString() });
        this.o.logger.warn(
          { classId: verdict.classId, code: refusal.code },
          `broadcast refused: ${refusal.message}`,
        );
        return { ok: false, reason: refusal.message };
      }
    }
    return { ok: true, classId: verdict.classId };
  }

  /** The last refusal or forced stop of a broadcast of the class, if any. */
  notice(classId: string): BroadcastNotice | null {
    return this.notices.get(classId) ?? null;
  }

  private async policyRefusal(classId: string): Promise<Omit<BroadcastNotice, 'at'> | null> {
    const until = this.cooldowns.get(classId);
    if (until !== undefined && until > Date.now()) {
      return {
        code: 'max_length_reached',
        message:
          `The last broadcast reached the server's maximum length (` +
          `${formatDuration(this.o.maxBroadcastMs)}); a new one can start at ` +
          `${new Date(until).toISOString().slice(11, 16)} UTC.`,
      };
    }
    if (until !== undefined) this.cooldowns.delete(classId);
    if (this.o.minFreeDiskBytes > 0) {
      const free = await this.o.freeDiskBytes(this.o.diskDir).catch((err: unknown) => {
        // Unknown free space must not stop every broadcast; the operator sees why.
        this.o.logger.error({ err }, 'could not read the free disk space');
        return null;
      });
      if (free !== null && free < this.o.minFreeDiskBytes) {
        return {
          code: 'disk_full',
          message:
            `The server's disk is nearly full (${formatBytes(free)} free, ` +
            `${formatBytes(this.o.minFreeDiskBytes)} required): broadcasts are refused until ` +
            'an administrator frees space.',
        };
      }
    }
    return (await this.o.admitBroadcast?.(classId)) ?? null;
  }

  /**
   * Ends the class's broadcast now: the publisher is dropped with no reconnect grace and the
   * recording finalized. Resolves once it is finalized; at once when the class is not live.
   */
  async stopBroadcast(classId: string, notice?: Omit<BroadcastNotice, 'at'>): Promise<void> {
    const b = this.byClass.get(classId);
    if (!b) return;
    if (notice) this.notices.set(classId, { ...notice, at: new Date().toISOString() });
    b.publisher.end();
    this.end(b);
    await b.finished;
  }

  onPublish(publisher: Publisher): void {
    const existing = this.byKey.get(publisher.key);
    if (existing) {
      // Reconnected inside the grace: same recording, the packager appends to the playlist.
      existing.publisher = publisher;
      existing.lastBytes = publisher.inBytes();
      existing.lastSampleAt = Date.now();
      this.o.logger.info({ recordingId: existing.recordingId }, 'publisher resumed');
      void existing.started.then((ok) => {
        if (!ok || this.byKey.get(publisher.key) !== existing) return;
        existing.packager.ensureRunning();
        for (const r of existing.readers) r.ensureRunning();
      });
      return;
    }
    const recordingId = randomUUID();
    const dir = recordingPath(this.o.recordingsDir, recordingId);
    const log = this.o.logger.child({ recordingId, classId: publisher.classId });
    const segSeconds = segmentSeconds(this.o.hls);
    const b: Broadcast = {
      key: publisher.key,
      classId: publisher.classId,
      recordingId,
      dir,
      publisher,
      announced: false,
      lastBytes: publisher.inBytes(),
      lastSampleAt: Date.now(),
      bitrateBps: 0,
      readers: new Set(),
      limitTimer: null,
      finished: null,
      started: Promise.resolve(false),
      packager: new Packager({
        ffmpegPath: this.o.ffmpegPath,
        args: packagerArgs({
          inputUrl: this.o.inputUrl(publisher.key),
          dir,
          segmentSeconds: segSeconds,
          ladder: this.o.hls.ladder,
          readTimeoutMs: this.o.readTimeoutMs,
        }),
        dir,
        logger: log,
        publisherLive: () => b.publisher.live(),
        onRestart: () => this.o.metrics.packagerRestarts.inc(),
        redact: redactKeys,
      }),
    };
    this.byKey.set(b.key, b);
    this.byClass.set(b.classId, b);
    this.o.metrics.activeBroadcasts.set(this.byKey.size);
    b.started = this.setUp(b, log);
  }

  private async setUp(b: Broadcast, log: Logger): Promise<boolean> {
    const startedAt = new Date();
    try {
      await mkdir(b.dir, { recursive: true });
      for (const r of this.o.hls.ladder) await mkdir(join(b.dir, r.name), { recursive: true });
      await writeFileAtomic(
        join(b.dir, MASTER_PLAYLIST),
        masterPlaylist([
          { uri: MEDIA_PLAYLIST, name: 'source', bandwidth: SOURCE_BANDWIDTH_GUESS },
          ...this.o.hls.ladder.map((r) => ({
            uri: `${r.name}/${MEDIA_PLAYLIST}`,
            name: r.name,
            bandwidth: (r.videoBitrateKbps * 1.07 + r.audioBitrateKbps) * 1000,
          })),
        ]),
      );
      await insertRecording(this.o.db, {
        id: b.recordingId,
        classId: b.classId,
        title: `Broadcast ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        startedAt: startedAt.toISOString(),
        nodeId: this.o.nodeId,
      });
    } catch (err) {
      log.error({ err }, 'could not set up the recording');
      this.forget(b);
      b.publisher.close();
      await rm(b.dir, { recursive: true, force: true }).catch(() => undefined);
      return false;
    }
    if (this.byKey.get(b.key) !== b) {
      // The publish already ended while we were setting up; finishing handles the rest.
      return true;
    }
    b.packager.start();
    log.info({ key: keyFingerprint(b.key) }, 'broadcast started');
    this.notices.delete(b.classId);
    if (this.o.maxBroadcastMs > 0) {
      const limitMs = this.o.maxBroadcastMs;
      b.limitTimer = setTimeout(() => {
        log.warn({ limitMs }, 'broadcast reached its maximum length, stopping it');
        this.cooldowns.set(b.classId, Date.now() + this.o.maxLengthCooldownMs);
        void this.stopBroadcast(b.classId, {
          code: 'max_length_reached',
          message:
            `The broadcast reached the server's maximum length (${formatDuration(limitMs)}) ` +
            'and was stopped; its recording is kept.',
        });
      }, limitMs);
      b.limitTimer.unref();
    }
    b.announced = true;
    this.emit('broadcastStarted', { classId: b.classId, recordingId: b.recordingId });
    return true;
  }

  onPublishEnd(publisher: Publisher): void {
    const b = this.byKey.get(publisher.key);
    if (!b || b.publisher !== publisher) return;
    this.end(b);
  }

  private forget(b: Broadcast): void {
    if (this.byKey.get(b.key) === b) this.byKey.delete(b.key);
    if (this.byClass.get(b.classId) === b) this.byClass.delete(b.classId);
    this.o.metrics.activeBroadcasts.set(this.byKey.size);
    if (b.limitTimer) clearTimeout(b.limitTimer);
    b.limitTimer = null;
  }

  private end(b: Broadcast): void {
    if (b.finished) return;
    this.forget(b);
    const p = this.finish(b).finally(() => this.finishing.delete(p));
    b.finished = p;
    this.finishing.add(p);
  }

  private async finish(b: Broadcast): Promise<void> {
    const log = this.o.logger.child({ recordingId: b.recordingId, classId: b.classId });
    if (!(await b.started)) return;
    if (b.announced) {
      this.emit('broadcastEnded', { classId: b.classId, recordingId: b.recordingId });
    }
    const disconnectedAt = b.publisher.disconnectedAt();
    const endedAt = new Date(disconnectedAt ?? Date.now()).toISOString();
    const readers = [...b.readers];
    b.readers.clear();
    await Promise.all(readers.map((r) => r.stop()));
    try {
      await updateRecording(this.o.db, b.recordingId, { status: 'finalizing', endedAt });
      await b.packager.stop();
      const res = await finalizeRecordingDir(b.dir, {
        ffmpegPath: this.o.ffmpegPath,
        ffprobePath: this.o.ffprobePath,
        logger: log,
      });
      await updateRecording(this.o.db, b.recordingId, {
        status: res.ok ? 'ready' : 'failed',
        durationMs: res.durationMs,
        sizeBytes: res.sizeBytes,
      });
      log.info(
        { status: res.ok ? 'ready' : 'failed', durationMs: res.durationMs, reason: res.reason },
        'recording finalized',
      );
    } catch (err) {
      // Left 'finalizing': the next start's recovery retries.
      log.error({ err }, 'finalizing the recording failed');
    }
  }

  /**
   * Running broadcasts keep writing: below half the floor they are stopped (recordings kept)
   * before the disk fills and every recording on it suffers.
   */
  private async watchDisk(): Promise<void> {
    if (this.watchingDisk || this.byClass.size === 0) return;
    this.watchingDisk = true;
    try {
      const free = await this.o.freeDiskBytes(this.o.diskDir);
      if (free >= this.o.minFreeDiskBytes / 2) return;
      this.o.logger.error(
        { freeBytes: free, broadcasts: this.byClass.size },
        'disk almost full, stopping every broadcast',
      );
      await Promise.all(
        [...this.byClass.keys()].map((classId) =>
          this.stopBroadcast(classId, {
            code: 'disk_full',
            message:
              `The server's disk is almost full (${formatBytes(free)} free): the broadcast was ` +
              'stopped and its recording kept.',
          }),
        ),
      );
    } catch (err) {
      this.o.logger.error({ err }, 'could not read the free disk space');
    } finally {
      this.watchingDisk = false;
    }
  }

  private sampleBitrates(): void {
    const now = Date.now();
    let total = 0;
    for (const b of this.byKey.values()) {
      const bytes = b.publisher.inBytes();
      const dt = (now - b.lastSampleAt) / 1000;
      const bits = b.publisher.live() && dt > 0 ? Math.max(0, ((bytes - b.lastBytes) * 8) / dt) : 0;
      b.bitrateBps = Math.round(bits);
      total += b.bitrateBps;
      b.lastBytes = bytes;
      b.lastSampleAt = now;
    }
    // One series for all classes: class ids in labels would tell any scraper who is live.
    this.o.metrics.bitrate.set(total);
  }

  /** Ends every broadcast (packagers stopped gracefully, recordings finalized). */
  async closeAll(): Promise<void> {
    clearInterval(this.sampler);
    if (this.diskWatch) clearInterval(this.diskWatch);
    for (const b of [...this.byKey.values()]) this.end(b);
    await Promise.all([...this.finishing]);
  }
}
