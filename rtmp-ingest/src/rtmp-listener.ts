import { createServer, isIPv6, type Socket } from 'node:net';
import type { Logger } from 'pino';
import Context from 'node-media-server/src/core/context.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import RtmpSession from 'node-media-server/src/session/rtmp_session.js';
import type BaseSession from 'node-media-server/src/session/base_session.js';
import { keyFingerprint, redactKeys } from './stream-key.js';

export const RTMP_APP = 'live';

export type AdmitResult = { ok: true; classId: string } | { ok: false; reason: string };

/** An accepted publish. A resume inside the grace is a new Publisher on the same key. */
export interface Publisher {
  readonly sessionId: string;
  readonly key: string;
  readonly classId: string;
  readonly remoteAddress: string;
  /** Connected and node-media-server's publisher for the key right now. */
  live(): boolean;
  inBytes(): number;
  /** When the connection dropped (ms since epoch), or null while connected. */
  disconnectedAt(): number | null;
  /** Drops the publisher (for example when its recording cannot be set up). */
  close(): void;
  /** Drops the publisher with no reconnect grace: the publish ends at once. */
  end(): void;
}

export interface RtmpListenerOptions {
  host: string;
  port: number;
  graceMs: number;
  verifyTimeoutMs: number;
  logger: Logger;
  /** Key check plus the caller's own rules (one broadcast per class). */
  admit(key: string, remoteAddress: string): Promise<AdmitResult>;
  onPublish(p: Publisher): void;
  /** The publish is over for good: the reconnect grace ran out, or someone else took the key. */
  onPublishEnd(p: Publisher): void;
}

export interface RtmpListener {
  readonly port: number;
  /** Where the packager reads the broadcast from. */
  inputUrl(key: string): string;
  /** Refuses new publishes; existing ones continue until close(). */
  stopAccepting(): void;
  close(): Promise<void>;
}

// node-media-server keeps its sessions, broadcasts and event bus in module singletons.
let instanceActive = false;

function isLoopback(ip: string): boolean {
  const addr = ip.replace(/:\d+$/, '');
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return isIPv6(host) ? `[${host}]` : host;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * RTMP on node-media-server 4.x. We own the TCP listener (node-media-server's would call
 * process.exit on EADDRINUSE and cannot listen on port 0) and hand each socket to an NMS
 * RtmpSession. Key checks hook NMS's prePublish; postPublish fires even for sessions refused
 * there, so nothing starts until the same session's admission has resolved positively.
 */
export async function startRtmpListener(o: RtmpListenerOptions): Promise<RtmpListener> {
  if (instanceActive) {
    throw new Error('rtmp-ingest: node-media-server allows one listener per process');
  }
  instanceActive = true;
  const log = o.logger;
  const emitter = Context.eventEmitter;
  const sockets = new Set<Socket>();
  const admissions = new Map<string, Promise<AdmitResult>>();
  // Our accepted publisher per stream path.
  const current = new Map<string, { session: BaseSession; publisher: Publisher }>();
  let accepting = true;

  nmsLogger.level = 'info';
  nmsLogger.log = (message: string, level = 'info') => {
    if (level === 'trace' || level === 'debug') return;
    // NMS reports its own refusals (bad stream path, duplicate publisher) at error level.
    if (level === 'error') log.warn({ nms: true }, redactKeys(message));
    else log.debug({ nms: true }, redactKeys(message));
  };

  const refuse = (session: BaseSession, reason: string): void => {
    log.warn(
      {
        remoteAddress: session.ip,
        app: session.streamApp,
        key: session.streamName ? keyFingerprint(session.streamName) : undefined,
        reason,
      },
      'publish refused',
    );
    // A refused session that NMS made the publisher must not hold the key for a grace period.
    if (session.broadcast?.publisher === session) session.broadcast.publishGraceMs = 0;
    session.close();
    session.socket?.destroy();
  };

  const onPrePublish = (session: BaseSession): void => {
    if (!session.socket || !sockets.has(session.socket)) return;
    const broadcast = session.broadcast;
    let result: Promise<AdmitResult>;
    if (!accepting) {
      result = Promise.resolve({ ok: false, reason: 'server shutting down' });
    } else if (session.streamApp !== RTMP_APP) {
      result = Promise.resolve({ ok: false, reason: `unknown application` });
    } else if (!session.streamName) {
      result = Promise.resolve({ ok: false, reason: 'missing stream key' });
    } else if (broadcast?.getPublishStatus() === 'publishing') {
      result = Promise.resolve({ ok: false, reason: 'stream key already live' });
    } else {
      if (broadcast) broadcast.publishGraceMs = o.graceMs;
      // Nothing from this publisher is read until its key is accepted.
      session.socket.pause();
      const key = session.streamName;
      result = withTimeout(o.admit(key, session.ip), o.verifyTimeoutMs).catch(
        (err: unknown): AdmitResult => {
          log.error({ err, remoteAddress: session.ip }, 'stream key check failed');
          return { ok: false, reason: 'key check failed' };
        },
      );
    }
    admissions.set(session.id, result);
    void result.then((r) => {
      if (!r.ok) refuse(session, r.reason);
    });
  };

  const onPostPublish = (session: BaseSession): void => {
    if (!session.socket || !sockets.has(session.socket)) return;
    // postPublish fires for refused sessions too: only an admission of this very session counts.
    const admission = admissions.get(session.id);
    if (!admission) {
      refuse(session, 'publish without key check');
      return;
    }
    void admission.then((r) => {
      admissions.delete(session.id);
      if (!r.ok) return;
      const socket = session.socket;
      if (!socket || socket.destroyed || session.broadcast?.publisher !== session) {
        log.info({ remoteAddress: session.ip }, 'publisher left before its key was accepted');
        return;
      }
      if (!accepting) {
        refuse(session, 'server shutting down');
        return;
      }
      const publisher: Publisher = {
        sessionId: session.id,
        key: session.streamName,
        classId: r.classId,
        remoteAddress: session.ip,
        live: () =>
          session.broadcast?.publisher === session &&
          session.broadcast.getPublishStatus() === 'publishing',
        inBytes: () => session.inBytes,
        disconnectedAt: () => (session.endTime > 0 ? session.endTime : null),
        close: () => {
          session.close();
          session.socket?.destroy();
        },
        end: () => {
          if (session.broadcast?.publisher === session) session.broadcast.publishGraceMs = 0;
          session.close();
          session.socket?.destroy();
        },
      };
      current.set(session.streamPath, { session, publisher });
      socket.resume();
      log.info(
        { remoteAddress: session.ip, classId: r.classId, key: keyFingerprint(session.streamName) },
        'publish accepted',
      );
      o.onPublish(publisher);
    });
  };

  const onDonePublish = (session: BaseSession): void => {
    const cur = current.get(session.streamPath);
    if (!cur) return;
    // NMS clears its publisher before emitting donePublish. That also covers a refused or
    // vanished session having replaced ours through NMS's resume logic.
    if (cur.session === session || cur.session.broadcast?.publisher !== cur.session) {
      current.delete(session.streamPath);
      o.onPublishEnd(cur.publisher);
    }
  };

  const onPrePlay = (session: BaseSession): void => {
    // Only the local packager may pull streams: RTMP playback would bypass class access rules.
    if (!isLoopback(session.ip)) {
      log.warn({ remoteAddress: session.ip }, 'rtmp play refused');
      session.close();
      session.socket?.destroy();
    }
  };

  emitter.on('prePublish', onPrePublish);
  emitter.on('postPublish', onPostPublish);
  emitter.on('donePublish', onDonePublish);
  emitter.on('prePlay', onPrePlay);

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const session = new RtmpSession(socket);
    session.run();
    Context.sessions.set(session.id, session);
  });

  const cleanup = (): void => {
    emitter.off('prePublish', onPrePublish);
    emitter.off('postPublish', onPostPublish);
    emitter.off('donePublish', onDonePublish);
    emitter.off('prePlay', onPrePlay);
    // Sessions dropped by close() still log as their sockets finish closing: keep NMS quiet
    // rather than handing it back its console output.
    nmsLogger.log = () => undefined;
    instanceActive = false;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    cleanup();
    throw err;
  }
  server.on('error', (err) => log.error({ err }, 'rtmp listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  log.info({ host: o.host, port }, 'rtmp listening');

  return {
    port,
    inputUrl: (key) => `rtmp://${loopbackFor(o.host)}:${port}/${RTMP_APP}/${key}`,
    stopAccepting() {
      accepting = false;
    },
    async close() {
      accepting = false;
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      // Grace timers of the sessions just dropped would otherwise resurrect them as
      // "reconnecting" broadcasts in a later listener in this process.
      Context.broadcasts.clear();
      Context.sessions.clear();
      current.clear();
      admissions.clear();
      cleanup();
    },
  };
}
