import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be 0-65535')
  .max(65535, 'must be 0-65535');
const seconds = z.coerce.number({ message: 'must be a number of seconds' }).int().positive();
const url = z.url({ message: 'must be a URL' });
const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
// A size in bytes, or with a unit: 500MB, 20GiB.
const bytes = z
  .string()
  .regex(/^\s*\d+(\.\d+)?\s*([kmgt]i?b|b)?\s*$/i, 'must be a size like 1073741824, 500MB or 20GiB')
  .transform((v) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v)!;
    return Math.round(Number(m[1]) * BYTE_UNITS[m[2]!.toLowerCase()]!);
  });

/**
 * Every setting the server reads from its environment, with its default. This table is the
 * README's configuration table; keep the two in step.
 */
const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: url.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  RECORDINGS_DIR: z.string().min(1).optional(),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1-128 letters, digits, dots, dashes or underscores')
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACCESS_TOKEN_TTL: seconds.default(900),
  REFRESH_TOKEN_TTL: seconds.default(30 * 24 * 3600),
  GUEST_TOKEN_TTL: seconds.default(12 * 3600),
  ALLOW_TEACHER_SIGNUP: bool.default(false),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(256 * 1024),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins' }))),
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  REFRESH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60),
  TRUST_PROXY: bool.default(false),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  RTMP_PORT: port.default(1935),
  RTMP_PUBLIC_URL: z
    .string()
    .regex(/^rtmps?:\/\/[^/]+\/live$/, 'must look like rtmp://host:1935/live')
    .optional(),
  WEB_ROOT: z.string().default(path.join(repoRoot, 'web/dist')),
  /** Draws the whiteboard into class exports (headless); 'off': exports go without it. */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  RTC_LISTEN_IP: z
    .union([z.ipv4(), z.ipv6()], { message: 'must be an IP address' })
    .default('0.0.0.0'),
  RTC_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  NODE_PIPE_ADDRESS: z.string().min(1).optional(),
  RTC_PORT: port.default(44444),
  RTC_MIN_PORT: port.default(45000),
  RTC_MAX_PORT: port.default(49999),
  /** Cameras each participant receives besides teachers and tiles on screen; 'off': all. */
  MEDIA_LAST_N: z.union([z.literal('off'), z.coerce.number().int().min(0).max(1000)]).default(9),
  /** Publishers stop encoding simulcast layers (and cameras) nobody watches. */
  MEDIA_DYNACAST: bool.default(true),
  /** Recent speakers beyond last-N whose cameras keep sending their lowest layer. */
  MEDIA_STANDBY_CAMERAS: z.coerce.number().int().min(0).max(100).default(2),
  /** Browsers play the microphones of this many recent speakers (and teachers'); 0: all. */
  MEDIA_MICS_PLAYED: z.coerce.number().int().min(0).max(1000).default(0),
  /** Participants per router before a class spreads onto another worker; 0: never. */
  MEDIA_ROUTER_MAX_PEERS: z.coerce.number().int().min(0).max(100_000).default(100),
  TURN_URLS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^turns?:[^\s]+$/,
            'must be a comma-separated list of turn: or turns: URLs (turn:host:3478?transport=udp)',
          ),
      ),
    ),
  TURN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  TURN_CREDENTIAL_TTL: seconds.default(12 * 3600),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  RTMP_ENABLED: bool.default(true),
  RTMP_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  HLS_SEGMENT_SECONDS: z.coerce.number().min(1).max(10).default(2),
  HLS_LOW_LATENCY: bool.default(false),
  HLS_LADDER: z
    .enum(['off', 'on'], { message: "must be 'off' or 'on' (720p/480p/360p)" })
    .default('off'),
  TLDRAW_LICENSE_KEY: z.string().min(1).optional(),
  COLLAB_IDLE_UNLOAD_MS: z.coerce.number().int().min(0).default(30_000),
  COLLAB_MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  COLLAB_WRITE_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  COLLAB_WRITE_BURST_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(4 * 1024 * 1024),
  COLLAB_USER_WRITE_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .positive()
    .default(384 * 1024),
  COLLAB_USER_WRITE_BURST_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(6 * 1024 * 1024),
  COLLAB_TEACHER_WRITE_FACTOR: z.coerce.number().positive().default(4),
  RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  LIVE_EVENTS_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(50),
  LIVE_EVENT_BURST: z.coerce.number().int().min(1).max(100_000).default(300),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  RECORDING_QUOTA_BYTES_PER_TEACHER: bytes.default(20 * 2 ** 30),
  MAX_BROADCAST_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(4 * 3600),
  MIN_FREE_DISK_BYTES: bytes.default(2 ** 30),
  RECORDING_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  CLASS_RECORDING_ENABLED: bool.default(true),
  DELETED_CLASS_CONTENT: z
    .enum(['delete', 'keep'], { message: "must be 'delete' or 'keep'" })
    .default('delete'),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  /** Filled in once the port is known when PUBLIC_URL is not set. */
  publicUrl: string | undefined;
  dataDir: string;
  /** Broadcast recordings; storage every node mounts when running several. */
  recordingsDir: string;
  /** This node's name; undefined: generated once into dataDir. */
  nodeId: string | undefined;
  /** PostgreSQL instead of the SQLite file in dataDir. */
  databaseUrl: string | undefined;
  secret: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  guestTokenTtlSeconds: number;
  allowTeacherSignup: boolean;
  bodyLimitBytes: number;
  corsOrigins: string[];
  authRateLimitPerMinute: number;
  refreshRateLimitPerMinute: number;
  trustProxy: boolean;
  /** Reverse proxies in front of the server whose X-Forwarded-For entries are believed. */
  trustProxyHops: number;
  http: { headersTimeoutMs: number; requestTimeoutMs: number };
  rtmpPort: number;
  rtmpPublicUrl: string | undefined;
  webRoot: string;
  /** Chromium for the whiteboard in class exports; null: exports go without the board. */
  chromiumPath: string | null;
  shutdownTimeoutMs: number;
  media: {
    workers: number | undefined;
    listenIp: string;
    announcedAddress: string | undefined;
    rtcPort: number;
    rtcMinPort: number;
    rtcMaxPort: number;
    lastN: number | 'off';
    dynacast: boolean;
    standbyCameras: number;
    /** Microphones each browser plays (recent speakers and teachers); 0: all. */
    micsPlayed: number;
    /** Participants per router before a class spreads onto another worker; 0: never. */
    maxPeersPerRouter: number;
  };
  reconnectGraceMs: number;
  /** Live-class events one socket may send per second on average, and at once. */
  liveEventRate: { perSecond: number; burst: number };
  redisUrl: string | undefined;
  /** Address the other nodes send a class's media to (pipe transports); with REDIS_URL. */
  nodePipeAddress: string | undefined;
  /** TURN servers browsers may relay media through, with the secret their credentials use. */
  turn: { urls: string[]; secret: string; ttlSeconds: number } | undefined;
  rtmp: {
    enabled: boolean;
    reconnectGraceMs: number;
    segmentSeconds: number;
    lowLatency: boolean;
    ladder: boolean;
  };
  collabIdleUnloadMs: number;
  /** Document size cap and write budgets (bytes, bytes per second), see collab/README.md. */
  collabLimits: {
    maxDocumentBytes: number;
    writeBytesPerSecond: number;
    writeBurstBytes: number;
    userWriteBytesPerSecond: number;
    userWriteBurstBytes: number;
    privilegedWriteFactor: number;
  };
  tldrawLicenseKey: string | undefined;
  metrics: {
    /** Bearer token for /metrics on PORT; without it /metrics is not served there. */
    token: string | undefined;
    /** A separate listener serving only /metrics. */
    port: number | undefined;
    host: string;
  };
  limits: {
    /** 0: unlimited. */
    recordingQuotaBytesPerTeacher: number;
    /** 0: unlimited. */
    maxBroadcastSeconds: number;
    /** 0: no check. */
    minFreeDiskBytes: number;
    /** Finished recordings older than this many days are deleted; 0 keeps them. */
    recordingRetentionDays: number;
  };
  /** Teachers may record the live class itself. */
  classRecording: boolean;
  /** What happens to a deleted class's recordings and documents. */
  deletedClassContent: 'delete' | 'keep';
}

export class ConfigError extends Error {}

/** Parses the environment; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.TURN_URLS.length > 0 && !e.TURN_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  TURN_SECRET: must be set with TURN_URLS (coturn static-auth-secret)',
    );
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    throw new ConfigError('Invalid configuration:\n  METRICS_PORT: must differ from PORT');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    dataDir: path.resolve(e.DATA_DIR),
    recordingsDir: path.resolve(e.RECORDINGS_DIR ?? path.join(e.DATA_DIR, 'recordings')),
    nodeId: e.NODE_ID,
    databaseUrl: e.DATABASE_URL,
    secret: e.SECRET,
    logLevel: e.LOG_LEVEL,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL,
    guestTokenTtlSeconds: e.GUEST_TOKEN_TTL,
    allowTeacherSignup: e.ALLOW_TEACHER_SIGNUP,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    corsOrigins: e.CORS_ORIGINS,
    authRateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
    refreshRateLimitPerMinute: e.REFRESH_RATE_LIMIT_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    },
    rtmpPort: e.RTMP_PORT,
    rtmpPublicUrl: e.RTMP_PUBLIC_URL,
    webRoot: path.resolve(e.WEB_ROOT),
    chromiumPath: e.CHROMIUM_PATH === 'off' ? null : e.CHROMIUM_PATH,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    media: {
      workers: e.MEDIASOUP_WORKERS,
      listenIp: e.RTC_LISTEN_IP,
      announcedAddress: e.RTC_ANNOUNCED_ADDRESS,
      rtcPort: e.RTC_PORT,
      rtcMinPort: e.RTC_MIN_PORT,
      rtcMaxPort: e.RTC_MAX_PORT,
      lastN: e.MEDIA_LAST_N,
      dynacast: e.MEDIA_DYNACAST,
      standbyCameras: e.MEDIA_STANDBY_CAMERAS,
      micsPlayed: e.MEDIA_MICS_PLAYED,
      maxPeersPerRouter: e.MEDIA_ROUTER_MAX_PEERS,
    },
    reconnectGraceMs: e.RECONNECT_GRACE_MS,
    liveEventRate: { perSecond: e.LIVE_EVENTS_PER_SECOND, burst: e.LIVE_EVENT_BURST },
    redisUrl: e.REDIS_URL,
    nodePipeAddress: e.NODE_PIPE_ADDRESS,
    turn:
      e.TURN_URLS.length > 0 && e.TURN_SECRET
        ? { urls: e.TURN_URLS, secret: e.TURN_SECRET, ttlSeconds: e.TURN_CREDENTIAL_TTL }
        : undefined,
    rtmp: {
      enabled: e.RTMP_ENABLED,
      reconnectGraceMs: e.RTMP_RECONNECT_GRACE_MS,
      segmentSeconds: e.HLS_SEGMENT_SECONDS,
      lowLatency: e.HLS_LOW_LATENCY,
      ladder: e.HLS_LADDER === 'on',
    },
    collabIdleUnloadMs: e.COLLAB_IDLE_UNLOAD_MS,
    collabLimits: {
      maxDocumentBytes: e.COLLAB_MAX_DOCUMENT_BYTES,
      writeBytesPerSecond: e.COLLAB_WRITE_BYTES_PER_SECOND,
      writeBurstBytes: e.COLLAB_WRITE_BURST_BYTES,
      userWriteBytesPerSecond: e.COLLAB_USER_WRITE_BYTES_PER_SECOND,
      userWriteBurstBytes: e.COLLAB_USER_WRITE_BURST_BYTES,
      privilegedWriteFactor: e.COLLAB_TEACHER_WRITE_FACTOR,
    },
    tldrawLicenseKey: e.TLDRAW_LICENSE_KEY,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
    limits: {
      recordingQuotaBytesPerTeacher: e.RECORDING_QUOTA_BYTES_PER_TEACHER,
      maxBroadcastSeconds: e.MAX_BROADCAST_SECONDS,
      minFreeDiskBytes: e.MIN_FREE_DISK_BYTES,
      recordingRetentionDays: e.RECORDING_RETENTION_DAYS,
    },
    classRecording: e.CLASS_RECORDING_ENABLED,
    deletedClassContent: e.DELETED_CLASS_CONTENT,
  };
}
