import { statfs } from 'node:fs/promises';
import { z } from 'zod';
import type { BroadcastNoticeCode } from '@educloud/protocol';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { IngestDatabase } from './schema.js';

export type VerifyStreamKey = (key: string) => Promise<{ classId: string } | null>;

/** Null admits a new broadcast of the class; a notice refuses it, and its teachers see why. */
export type AdmitBroadcast = (
  classId: string,
) => Promise<{ code: BroadcastNoticeCode; message: string } | null>;

const renditionSchema = z.object({
  // The name becomes a directory and a URL path segment.
  name: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  height: z.number().int().min(144).max(2160),
  videoBitrateKbps: z.number().int().min(100).max(50_000),
  audioBitrateKbps: z.number().int().min(32).max(512).default(128),
});
export type RenditionInput = z.input<typeof renditionSchema>;
export type Rendition = z.output<typeof renditionSchema>;

/** The usual classroom ladder; pass it as `hls.ladder` to turn transcoding on. */
export const DEFAULT_LADDER: readonly Rendition[] = [
  { name: '720p', height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
  { name: '480p', height: 480, videoBitrateKbps: 1400, audioBitrateKbps: 128 },
  { name: '360p', height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 },
];

const hlsSchema = z
  .object({
    segmentSeconds: z.number().min(0.5).max(10).default(2),
    // ffmpeg 5.1 has no LL-HLS partial segments: low latency means 1 s segments.
    lowLatency: z.boolean().default(false),
    ladder: z
      .array(renditionSchema)
      .default([])
      .refine(
        (l) => new Set(l.map((r) => r.name)).size === l.length,
        'rendition names must be unique',
      ),
  })
  .prefault({});

function isFunction(v: unknown): boolean {
  return typeof v === 'function';
}

export const ingestOptionsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(1935),
  host: z.string().min(1).default('0.0.0.0'),
  dataDir: z.string().min(1),
  // Recordings go here (storage every node mounts, with several); `<dataDir>/recordings` if unset.
  recordingsDir: z.string().min(1).optional(),
  // Tells this node's recordings apart from other nodes' in a shared database.
  nodeId: z.string().min(1).max(128).default('local'),
  verifyStreamKey: z.custom<VerifyStreamKey>(isFunction, 'verifyStreamKey must be a function'),
  db: z.custom<Kysely<IngestDatabase>>((v) => typeof v === 'object' && v !== null),
  logger: z.custom<Logger>(
    (v) => typeof v === 'object' && v !== null && isFunction((v as Logger).child),
  ),
  registry: z.custom<Registry>(
    (v) => typeof v === 'object' && v !== null && isFunction((v as Registry).registerMetric),
  ),
  hls: hlsSchema,
  reconnectGraceMs: z.number().int().min(0).max(600_000).default(30_000),
  ffmpegPath: z.string().min(1).default('ffmpeg'),
  ffprobePath: z.string().min(1).default('ffprobe'),
  // How long the packager's RTMP read may stall before ffmpeg gives up (and closes its files).
  readTimeoutMs: z.number().int().min(500).max(60_000).default(3000),
  verifyTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  // A broadcast is stopped (publisher dropped, recording finalized) after this long; 0: never.
  maxBroadcastSeconds: z.number().int().min(0).default(0),
  // After a stop at the maximum length the class may not broadcast again for this long, so OBS's
  // automatic reconnects do not turn a forgotten stream into back-to-back recordings.
  maxLengthCooldownSeconds: z.number().int().min(0).default(600),
  // A new broadcast is refused while the data dir's file system has less free space than this.
  minFreeDiskBytes: z.number().int().min(0).default(0),
  // How free space is read (tests stand in a full disk); fs.statfs of the data dir by default.
  freeDiskBytes: z
    .custom<(dir: string) => Promise<number>>(isFunction, 'freeDiskBytes must be a function')
    .default(() => statfsFreeBytes),
  // The composition root's own rules for a new broadcast (a teacher's quota): a notice refuses it.
  admitBroadcast: z
    .custom<AdmitBroadcast>(isFunction, 'admitBroadcast must be a function')
    .optional(),
  // Run recoverRecordings() in the background after the listener is up.
  recoverOnStart: z.boolean().default(true),
});

export type IngestOptionsInput = z.input<typeof ingestOptionsSchema>;
export type IngestOptions = z.output<typeof ingestOptionsSchema>;

export function parseOptions(input: IngestOptionsInput): IngestOptions {
  return ingestOptionsSchema.parse(input);
}

async function statfsFreeBytes(dir: string): Promise<number> {
  const st = await statfs(dir);
  return st.bavail * st.bsize;
}

/** The segment length the packager asks for. */
export function segmentSeconds(hls: IngestOptions['hls']): number {
  return hls.lowLatency ? Math.min(1, hls.segmentSeconds) : hls.segmentSeconds;
}
