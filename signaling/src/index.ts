import type { Server } from 'node:http';
import type Koa from 'koa';
import { Server as SocketServer } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { ClientEvents, IceServer, ServerEvents } from '@educloud/protocol';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AccountService } from './auth/account-service.js';
import { DerivedKeys } from './auth/secrets.js';
import { TokenService } from './auth/token-service.js';
import { ClassService, type DeletedClassParts } from './classes/class-service.js';
import { StreamKeys } from './classes/stream-keys.js';
import type { SignalingTables } from './db/schema.js';
import { createHttpApp } from './http/app.js';
import { ChatService } from './live/chat-service.js';
import { LiveGateway } from './live/live-gateway.js';
import { BreakoutStore } from './live/breakouts/breakout-store.js';
import { PollService } from './live/polls.js';
import type { RouteTable } from './http/route-table.js';
import { DatabaseLiveState } from './live/database-live-state.js';
import type { LiveState } from './live/live-state.js';
import type { MediaRooms } from './live/media-port.js';
import { RedisLiveState } from './live/redis-live-state.js';
import { SocketAuthority } from './live/socket-authority.js';
import type { ClassRecordingControl, LiveActivity } from './live/recording-port.js';

export { signalingMigrations } from './db/migrations.js';
export type { SignalingTables } from './db/schema.js';
export type { Principal } from './auth/principal.js';
export { HttpError } from './http/http-error.js';
export type { AccountService } from './auth/account-service.js';
export type { ClassService, DeletedClassParts } from './classes/class-service.js';
export type { TokenService } from './auth/token-service.js';
export type { MediaRoom, MediaRooms, PipedProducer } from './live/media-port.js';
export { AckError } from './live/ack-error.js';
export { InMemoryLiveState, type LiveState } from './live/live-state.js';
export { DatabaseLiveState } from './live/database-live-state.js';
export { RedisLiveState } from './live/redis-live-state.js';
export { RouteTable, who, type RouteSpec } from './http/route-table.js';
export { metricsAuthorized } from './http/metrics-auth.js';
export type { LiveGateway, BroadcastHost } from './live/live-gateway.js';
export type { BreakoutStore } from './live/breakouts/breakout-store.js';
export type {
  ClassAtStart,
  ClassRecordingControl,
  LiveActivity,
  RecordingParticipant,
} from './live/recording-port.js';

export interface SignalingOptions {
  httpServer: Server;
  db: Kysely<SignalingTables>;
  logger: Logger;
  registry: Registry;
  /** The server secret every token and stream key is derived from. */
  secret: string;
  publicUrl: string;
  rtmpUrl: string;
  version: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  guestTokenTtlSeconds: number;
  allowTeacherSignup: boolean;
  bodyLimitBytes: number;
  corsOrigins: string[];
  authRateLimitPerMinute: number;
  refreshRateLimitPerMinute: number;
  trustProxy: boolean;
  trustProxyHops: number;
  webRoot?: string;
  extraMiddleware?: Koa.Middleware[];
  /** The media plane for live classes. */
  media: MediaRooms;
  /** Class facts that survive a restart; the database, or Redis when `redisUrl` is set. */
  liveState?: LiveState;
  /** Adds routes of other parts (recordings …) to the one validated, documented route table. */
  extraRoutes?: (routes: RouteTable, services: { classes: ClassService }) => void;
  /** tldraw licence key (optional): without one the "Made with tldraw" watermark shows. */
  tldrawLicenseKey?: string;
  /** Told to browsers (client config): microphones a live page plays; 0 (default): all. */
  liveMicsPlayed?: number;
  /** With Redis, socket broadcasts and class state reach every node. */
  redisUrl?: string;
  /** This node's name among several (with Redis): whose members a dead node's are. */
  nodeId?: string;
  /** How long a dropped socket keeps its place in a class, waiting to resume. */
  reconnectGraceMs: number;
  /**
   * Live-class events one socket may send: `perSecond` on average, `burst` at once. Past the
   * burst events are refused; a socket refused `burst` times in a row is disconnected.
   */
  liveEventRate: { perSecond: number; burst: number };
  /** Removes what other parts keep for a deleted class (recordings, documents). */
  onClassDeleted?: (classId: string, parts: DeletedClassParts) => Promise<void>;
  /** Bearer token /metrics requires; without one /metrics is not served on this port. */
  metricsToken?: string;
  /** TURN servers and credentials for a user, handed out with each WebRTC transport. */
  iceServers?: (userId: string) => IceServer[];
  /** Recording of live classes (teachers start and stop it over the live socket). */
  recording?: ClassRecordingControl;
  /** What a class recording's timeline keeps. */
  onLiveActivity?: (e: LiveActivity) => void;
}

export interface SignalingHandle {
  app: Koa;
  io: SocketServer<ClientEvents, ServerEvents>;
  live: LiveGateway;
  accounts: AccountService;
  classes: ClassService;
  tokens: TokenService;
  /** Breakout rooms a class has had (the collab authorizer admits to their documents). */
  breakouts: BreakoutStore;
  close(): Promise<void>;
}

/** Accounts, classes and the HTTP API, mounted as the request handler of `httpServer`. */
export async function start(opts: SignalingOptions): Promise<SignalingHandle> {
  const keys = new DerivedKeys(opts.secret);
  const tokens: TokenService = new TokenService(
    keys.jwt,
    opts.accessTokenTtlSeconds,
    opts.guestTokenTtlSeconds,
    (userId): Promise<number | undefined> => accounts.sessionVersion(userId),
  );
  const accounts: AccountService = new AccountService(
    opts.db,
    tokens,
    opts.refreshTokenTtlSeconds,
    opts.allowTeacherSignup,
  );
  const classes = new ClassService(
    opts.db,
    tokens,
    new StreamKeys(keys.streamKey),
    { publicUrl: opts.publicUrl, rtmpUrl: opts.rtmpUrl },
    { onDeleted: opts.onClassDeleted },
  );
  const chat = new ChatService(opts.db);
  const breakouts = new BreakoutStore(opts.db);
  const polls = new PollService(opts.db);
  // Rate-limit counters are shared by every node when there is Redis.
  const limitsRedis = opts.redisUrl
    ? new Redis(opts.redisUrl, { maxRetriesPerRequest: 3 })
    : undefined;
  const app = createHttpApp({
    ...opts,
    rateLimitRedis: limitsRedis,
    accounts,
    classes,
    chat,
    polls,
    breakouts,
    tokens,
    clientConfig: async () => {
      const serverFresh = await accounts.isFresh();
      return {
        tldrawLicenseKey: opts.tldrawLicenseKey ?? null,
        serverFresh,
        teacherSignupAllowed: serverFresh || accounts.allowTeacherSignup,
        liveMicsPlayed: opts.liveMicsPlayed ?? 0,
      };
    },
  });
  const handler = app.callback();
  opts.httpServer.on('request', handler);
  const io = new SocketServer<ClientEvents, ServerEvents>(opts.httpServer, {
    serveClient: false,
    // SDP-sized payloads at most; anything bigger is abuse.
    maxHttpBufferSize: 256 * 1024,
    // Other parts (collab) answer their own WebSocket upgrades on this server.
    destroyUpgrade: false,
    cors: opts.corsOrigins.length ? { origin: opts.corsOrigins } : undefined,
  });
  let redis: { pub: Redis; sub: Redis } | undefined;
  if (opts.redisUrl) {
    const pub = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    redis = { pub, sub };
    io.adapter(createAdapter(pub, sub, { key: 'educloud:socket.io' }));
  }
  const authority = new SocketAuthority(
    io,
    tokens,
    opts.logger.child({ part: 'live' }),
    redis !== undefined,
  );
  accounts.onSessionsRevoked((userId, reason) => authority.revokeUser(userId, reason));
  classes.onMembershipEnded((classId, userId) =>
    userId ? authority.revokeMembership(classId, userId) : authority.revokeClass(classId),
  );
  const live = new LiveGateway({
    authority,
    io,
    tokens,
    classes,
    media: opts.media,
    state:
      opts.liveState ??
      (redis
        ? new RedisLiveState(redis.pub, undefined, opts.nodeId)
        : new DatabaseLiveState(opts.db)),
    multiNode: redis !== undefined,
    logger: opts.logger.child({ part: 'live' }),
    registry: opts.registry,
    reconnectGraceMs: opts.reconnectGraceMs,
    db: opts.db,
    chat,
    polls,
    breakouts,
    eventRate: { ...opts.liveEventRate, maxRefused: opts.liveEventRate.burst },
    iceServers: opts.iceServers,
    recording: opts.recording,
    onActivity: opts.onLiveActivity,
  });
  return {
    app,
    io,
    live,
    accounts,
    classes,
    tokens,
    breakouts,
    async close() {
      opts.httpServer.off('request', handler);
      // This node's sockets only: through the Redis adapter it would close every node's.
      io.local.disconnectSockets(true);
      await live.close();
      authority.close();
      // io.close() would also close the HTTP server, which belongs to the caller.
      io.engine.close();
      if (redis) await Promise.all([redis.pub.quit(), redis.sub.quit()]);
      await limitsRedis?.quit();
    },
  };
}
