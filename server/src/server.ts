import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Kysely } from 'kysely';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import * as collab from '@educloud/collab';
import * as ingest from '@educloud/rtmp-ingest';
import * as sfu from '@educloud/sfu';
import * as signaling from '@educloud/signaling';
import { hlsFiles } from './broadcast/hls-files.js';
import { HlsGrants } from './broadcast/hls-grants.js';
import { addRecordingRoutes } from './broadcast/recording-routes.js';
import { recordingQuota } from './broadcast/recording-quota.js';
import { ClassExports } from './class-recording/class-export.js';
import { addClassRecordingRoutes } from './class-recording/class-recording-routes.js';
import { ClassRecordings } from './class-recording/class-recordings.js';
import { recoverClassRecordings } from './class-recording/recover-class-recordings.js';
import {
  getRecordingSettings,
  recordingSettingsMigrations,
  type RecordingSettingsTables,
} from './class-recording/recording-settings.js';
import { startRetention } from './class-recording/recording-retention.js';
import { wireBroadcasts, type BroadcastWiring } from './broadcast/wire-broadcasts.js';
import { deletedClassContent } from './classes/deleted-class-content.js';
import { addClassDocumentRoutes, authorizeClassDocument } from './collab/class-documents.js';
import type { Config } from './config.js';
import { openDatabase } from './database.js';
import { lanAddress } from './lan-address.js';
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.js';
import { resolveNodeId } from './node-id.js';
import { startNodeMesh } from './nodes/start-node-mesh.js';
import { resolveSecret } from './secret.js';
import { SfuMediaRooms } from './sfu-media-rooms.js';
import { StartupGate } from './startup-gate.js';
import { turnCredentials } from './turn/turn-credentials.js';
import { UpgradePaths } from './upgrade-paths.js';

const COLLAB_PREFIX = '/collab/';
const SOCKET_IO_PREFIX = '/socket.io/';

export interface RunningServer {
  /** Where the web client is reached, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  logger: Logger;
  db: Kysely<unknown>;
  signaling: signaling.SignalingHandle;
  sfu: sfu.Sfu;
  collab: collab.CollabHandle;
  /** Undefined when RTMP_ENABLED=false. */
  ingest: ingest.IngestHandle | undefined;
  /** The METRICS_PORT listener, when configured. */
  metrics: MetricsServer | undefined;
  /** Undefined when CLASS_RECORDING_ENABLED=false. */
  classRecordings: ClassRecordings | undefined;
  classExports: ClassExports;
  /** Start-up recovery of class recordings a killed process left. */
  classRecovery: Promise<{ id: string; status: 'ready' | 'failed' }[]>;
  close(): Promise<void>;
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

/** Starts every part in this process, wired together, and listens on the configured port. */
export async function startServer(config: Config, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? pino({ level: config.logLevel });
  await mkdir(config.dataDir, { recursive: true });
  await mkdir(config.recordingsDir, { recursive: true });
  const secret = await resolveSecret(config.secret, config.dataDir);
  const nodeId = await resolveNodeId(config.nodeId, config.dataDir);
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'educloud' });
  collectDefaultMetrics({ register: registry, prefix: 'educloud_' });
  const db = await openDatabase(
    { dataDir: config.dataDir, databaseUrl: config.databaseUrl, logger: log.child({ part: 'db' }) },
    {
      ...signaling.signalingMigrations,
      ...collab.collabMigrations,
      ...ingest.ingestMigrations,
      ...recordingSettingsMigrations,
    },
  );
  const announcedAddress =
    config.media.announcedAddress ??
    (isUnspecified(config.media.listenIp) ? lanAddress() : undefined);
  const media = await sfu.start({
    logger: log.child({ part: 'sfu' }),
    registry,
    numWorkers: config.media.workers,
    listenIp: config.media.listenIp,
    announcedAddress,
    rtcPort: config.media.rtcPort,
    rtcMinPort: config.media.rtcMinPort,
    rtcMaxPort: config.media.rtcMaxPort,
    lastN: config.media.lastN,
    dynacast: config.media.dynacast,
    standbyCameras: config.media.standbyCameras,
    maxPeersPerRouter: config.media.maxPeersPerRouter,
  });

  // A client that sends its request slowly (or never finishes it) is cut off; Node's own
  // defaults allow five minutes per request, checked every 30 s.
  const httpServer = createServer({
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(5000, config.http.headersTimeoutMs / 2),
  });
  const gate = new StartupGate(httpServer);
  const upgrades = new UpgradePaths(httpServer, [COLLAB_PREFIX, SOCKET_IO_PREFIX]);
  const sockets = new Set<Socket>();
  httpServer.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await listen(httpServer, config.port, config.host);
  const port = (httpServer.address() as AddressInfo).port;
  const publicUrl = config.publicUrl ?? `http://${displayHost(config.host)}:${port}`;
  const rtmpUrl =
    config.rtmpPublicUrl ?? `rtmp://${new URL(publicUrl).hostname}:${config.rtmpPort}/live`;

  // Collab and the ingest ask signaling who may do what; signaling serves their routes. The
  // late binding below breaks that circle: neither is asked anything before start returns.
  const late: { signaling?: signaling.SignalingHandle; ingest?: ingest.IngestHandle } = {};
  const bound = () => {
    if (!late.signaling) throw new Error('signaling is not started yet');
    return late.signaling;
  };
  const docs = await collab.start({
    httpServer,
    db: db as Kysely<collab.CollabTables>,
    logger: log.child({ part: 'collab' }),
    registry,
    authorize: (token, name) =>
      authorizeClassDocument(bound().tokens, bound().classes, bound().breakouts)(token, name),
    redisUrl: config.redisUrl,
    idleUnloadMs: config.collabIdleUnloadMs,
    limits: config.collabLimits,
  });
  upgrades.serve(COLLAB_PREFIX);
  const rtmp = config.rtmp.enabled
    ? await ingest.start({
        port: config.rtmpPort,
        host: config.host,
        dataDir: config.dataDir,
        recordingsDir: config.recordingsDir,
        nodeId,
        verifyStreamKey: (key) => bound().classes.verifyStreamKey(key),
        db: db as Kysely<ingest.IngestDatabase>,
        logger: log.child({ part: 'rtmp-ingest' }),
        registry,
        reconnectGraceMs: config.rtmp.reconnectGraceMs,
        maxBroadcastSeconds: config.limits.maxBroadcastSeconds,
        minFreeDiskBytes: config.limits.minFreeDiskBytes,
        admitBroadcast: recordingQuota({
          limitBytes: config.limits.recordingQuotaBytesPerTeacher,
          classesOfCreator: (classId) => bound().classes.classesOfCreator(classId),
          bytesUsed: (classIds) => {
            if (!late.ingest) throw new Error('the ingest is not started yet');
            return late.ingest.recordings.bytesUsed(classIds);
          },
        }),
        hls: {
          segmentSeconds: config.rtmp.segmentSeconds,
          lowLatency: config.rtmp.lowLatency,
          ladder: config.rtmp.ladder ? [...ingest.DEFAULT_LADDER] : [],
        },
      })
    : undefined;
  late.ingest = rtmp;
  const broadcasts: BroadcastWiring | undefined = rtmp
    ? wireBroadcasts({ ingest: rtmp, signaling: bound, secret, logger: log })
    : undefined;

  const quota = recordingQuota({
    limitBytes: config.limits.recordingQuotaBytesPerTeacher,
    classesOfCreator: (classId) => bound().classes.classesOfCreator(classId),
    bytesUsed: (classIds) => ingest.recordingBytes(db as Kysely<ingest.IngestDatabase>, classIds),
  });
  const classRecordings = config.classRecording
    ? new ClassRecordings({
        db: db as Kysely<ingest.IngestDatabase>,
        recordingsDir: config.recordingsDir,
        nodeId,
        sfu: media,
        logger: log,
        minFreeDiskBytes: config.limits.minFreeDiskBytes,
        admit: quota,
        autoRecord: async (classId) =>
          (await getRecordingSettings(db as Kysely<RecordingSettingsTables>, classId)).autoRecord,
        onStatus: (classId, status) => late.signaling?.live.recordingStatus(classId, status),
      })
    : undefined;
  // Recordings a killed process left behind are finalized in the background.
  const classRecovery = classRecordings
    ? recoverClassRecordings({
        db: db as Kysely<ingest.IngestDatabase>,
        recordingsDir: config.recordingsDir,
        nodeId,
        logger: log.child({ part: 'class-recording' }),
        exclude: classRecordings.liveIds(),
        finalize: (id, classId, startedAt) => classRecordings.finalize(id, classId, startedAt),
      }).catch((err: unknown) => {
        log.error({ err }, 'class recording recovery failed');
        return [];
      })
    : Promise.resolve([]);
  // Without RTMP the recordings library and its files still serve class recordings.
  const grants = new HlsGrants(secret, 6 * 3600);
  const store = ingest.recordingsStore(db as Kysely<ingest.IngestDatabase>, config.recordingsDir);
  const ownLibrary = !broadcasts && classRecordings !== undefined;
  const classExports = new ClassExports({
    logger: log.child({ part: 'class-export' }),
    board: { db, webRoot: config.webRoot, chromiumPath: config.chromiumPath },
  });
  const retention = startRetention({
    db: db as Kysely<ingest.IngestDatabase>,
    recordingsDir: config.recordingsDir,
    days: config.limits.recordingRetentionDays,
    logger: log,
  });

  // With Redis, a class's participants may be on several nodes: their rooms are linked.
  const nodes = config.redisUrl
    ? await startNodeMesh({
        redisUrl: config.redisUrl,
        nodeId,
        sfu: media,
        pipe: {
          listenIp: config.media.listenIp,
          announcedAddress: config.nodePipeAddress ?? announcedAddress,
          portRange: { min: config.media.rtcMinPort, max: config.media.rtcMaxPort },
        },
        logger: log,
      })
    : undefined;
  const version = await packageVersion();
  const turn = config.turn;
  // signaling.start attaches the request handler synchronously, before its first await.
  gate.open();
  const sig = await signaling.start({
    httpServer,
    db: db as Kysely<signaling.SignalingTables>,
    logger: log.child({ part: 'signaling' }),
    registry,
    secret,
    publicUrl,
    rtmpUrl,
    version,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    guestTokenTtlSeconds: config.guestTokenTtlSeconds,
    allowTeacherSignup: config.allowTeacherSignup,
    bodyLimitBytes: config.bodyLimitBytes,
    corsOrigins: config.corsOrigins,
    authRateLimitPerMinute: config.authRateLimitPerMinute,
    refreshRateLimitPerMinute: config.refreshRateLimitPerMinute,
    trustProxy: config.trustProxy,
    trustProxyHops: config.trustProxyHops,
    webRoot: config.webRoot,
    media: new SfuMediaRooms(
      media,
      nodes ? (classId, room) => nodes.mesh.attach(classId, room) : undefined,
    ),
    reconnectGraceMs: config.reconnectGraceMs,
    liveEventRate: config.liveEventRate,
    redisUrl: config.redisUrl,
    nodeId,
    tldrawLicenseKey: config.tldrawLicenseKey,
    liveMicsPlayed: config.media.micsPlayed,
    metricsToken: config.metrics.token,
    iceServers: (userId) => (turn ? [turnCredentials(turn, userId)] : []),
    recording: classRecordings,
    onLiveActivity: classRecordings ? (e) => classRecordings.activity(e) : undefined,
    onClassDeleted: deletedClassContent({
      policy: config.deletedClassContent,
      ingest: rtmp,
      collab: docs,
      db,
      logger: log,
    }),
    extraRoutes: (routes, { classes }) => {
      addClassDocumentRoutes(routes, classes, docs);
      broadcasts?.addRoutes(routes);
      if (ownLibrary) addRecordingRoutes(routes, { recordings: store, signaling: bound, grants });
      if (classRecordings) {
        addClassRecordingRoutes(routes, {
          db,
          recordingsDir: config.recordingsDir,
          signaling: bound,
          grants,
          exports: classExports,
        });
      }
    },
    extraMiddleware: broadcasts
      ? [broadcasts.middleware]
      : ownLibrary
        ? [
            hlsFiles({
              recordings: store,
              dir: (id) => ingest.recordingPath(config.recordingsDir, id),
              grants,
              classExists: (classId) => bound().classes.exists(classId),
            }),
          ]
        : [],
  });
  late.signaling = sig;
  nodes?.onNodeGone((nodeId) => sig.live.nodeGone(nodeId, () => nodes.isAlive(nodeId)));
  const metricsServer =
    config.metrics.port === undefined
      ? undefined
      : await startMetricsServer({
          registry,
          host: config.metrics.host,
          port: config.metrics.port,
          token: config.metrics.token,
        });
  // What ends a user's sessions or membership also ends their document connections (this node).
  sig.accounts.onSessionsRevoked((userId) => docs.closeConnections({ userId }));
  sig.classes.onMembershipEnded((classId, userId) =>
    docs.closeConnections({ docPrefix: `class/${classId}/`, ...(userId ? { userId } : {}) }),
  );
  upgrades.serve(SOCKET_IO_PREFIX);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info('shutting down');
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      // Long-lived connections (sockets, downloads) get a grace period, then are cut.
      const force = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, config.shutdownTimeoutMs);
      force.unref();
      // Recordings are finalized and documents flushed before anything they need goes away.
      retention.stop();
      await classRecordings?.close();
      await classRecovery;
      await broadcasts?.close();
      await rtmp?.close();
      await docs.close();
      await sig.close();
      await stopped;
      clearTimeout(force);
      await nodes?.close();
      await media.close();
      await metricsServer?.close();
      await db.destroy();
      log.info('stopped');
    })();
    return closing;
  };
  return {
    url: publicUrl,
    port,
    logger: log,
    db,
    signaling: sig,
    sfu: media,
    collab: docs,
    ingest: rtmp,
    metrics: metricsServer,
    classRecordings,
    classExports,
    classRecovery,
    close,
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function displayHost(host: string): string {
  return isUnspecified(host) ? 'localhost' : host;
}
