import type { Socket as UntypedSocket } from 'socket.io';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import {
  clientEvents,
  type Ack,
  type ClientEventName,
  type ClientEventResults,
  type IceServer,
  type ClassRecordingStatus,
  type PeerInfo,
} from '@educloud/protocol';
import type { TokenService } from '../auth/token-service.js';
import type { ClassService } from '../classes/class-service.js';
import type { Kysely } from 'kysely';
import type { SignalingTables } from '../db/schema.js';
import { HttpError } from '../http/http-error.js';
import { AckError } from './ack-error.js';
import { chatHandlers } from './chat-events.js';
import { classActivity, endClassSession } from './class-session.js';
import type { ChatService } from './chat-service.js';
import { ClassSettingsStore } from './class-settings.js';
import { ForcedMutes } from './forced-mutes.js';
import { HandQueue, handHandlers } from './hand-queue.js';
import { checkProduce, checkResume, moderationHandlers, startsPaused } from './moderation.js';
import { PeerLimits } from './peer-limits.js';
import { pollHandlers } from './poll-events.js';
import type { PollService } from './polls.js';
import { Removals } from './removals.js';
import { stageHandlers } from './stage-events.js';
import { StageStore } from './stage-store.js';
import { limitSocketRate, type SocketRateLimitOptions } from './socket-rate-limit.js';
import { admission, WaitingRoom, waitingHandlers } from './waiting-room.js';
import { BreakoutManager } from './breakouts/breakout-manager.js';
import { breakoutHandlers } from './breakouts/breakout-events.js';
import type { BreakoutStore } from './breakouts/breakout-store.js';
import type { ClassDeps, Handler, SocketSession } from './live-handler.js';
import { LiveRoom, roomChannel, teachersChannel } from './live-room.js';
import type { LiveServer as Server, LiveSocket as Socket } from './live-io.js';
import type { LiveState } from './live-state.js';
import type { MediaRooms } from './media-port.js';
import type { ClassRecordingControl, LiveActivity } from './recording-port.js';
import { recordIfAutomatic, recordingHandlers } from './recording-events.js';
import type { SocketAuthority } from './socket-authority.js';

export interface BroadcastHost {
  peerId: string;
  addRtpInput(
    kind: 'audio' | 'video',
    rtpParameters: unknown,
  ): Promise<{ producerId: string; ip: string; port: number; rtcpPort: number | undefined }>;
  close(): void;
}

export interface LiveGatewayOptions {
  io: Server;
  tokens: TokenService;
  classes: ClassService;
  media: MediaRooms;
  state: LiveState;
  /** Nodes share the Socket.IO adapter (Redis). */
  multiNode?: boolean;
  logger: Logger;
  registry: Registry;
  reconnectGraceMs: number;
  db: Kysely<SignalingTables>;
  chat: ChatService;
  polls: PollService;
  breakouts: BreakoutStore;
  /** Per-socket event rate limit. */
  eventRate: Pick<SocketRateLimitOptions, 'perSecond' | 'burst' | 'maxRefused'>;
  authority: SocketAuthority;
  /** TURN servers and credentials for a user, handed out with each transport. */
  iceServers?: (userId: string) => IceServer[];
  recording?: ClassRecordingControl;
  /** Told of what a class recording's timeline keeps (events that succeeded, leaves). */
  onActivity?: (e: LiveActivity) => void;
}

/**
 * Socket.IO side of a live class: authenticates the handshake, validates every event against
 * the shared protocol, checks the caller may do it, and answers through the ack. Nothing a
 * client sends can throw out of a handler.
 */
export class LiveGateway {
  private readonly rooms = new Map<string, Promise<LiveRoom>>();
  private readonly events: Counter<'event' | 'outcome'>;
  private readonly dropped: Counter;
  private readonly deps: ClassDeps;
  private readonly limits = new PeerLimits();

  constructor(private readonly opts: LiveGatewayOptions) {
    this.dropped = new Counter({
      name: 'educloud_live_sockets_dropped_total',
      help: 'Live-class sockets disconnected for flooding events',
      registers: [opts.registry],
    });
    this.deps = {
      io: opts.io,
      guards: { joined: (s) => this.joined(s), asTeacher: (s) => this.asTeacher(s) },
      classes: opts.classes,
      chat: opts.chat,
      polls: opts.polls,
      settings: new ClassSettingsStore(opts.db),
      hands: new HandQueue(),
      mutes: new ForcedMutes(opts.db),
      waiting: new WaitingRoom(opts.io),
      removals: new Removals(opts.db),
      stage: new StageStore(opts.db),
      breakouts: new BreakoutManager({
        io: opts.io,
        media: opts.media,
        store: opts.breakouts,
        logger: opts.logger.child({ part: 'breakouts' }),
        multiNode: opts.multiNode,
        // No client event closes them: the activity (a recording's timeline) hears it here.
        onTimeUp: (classId) =>
          opts.onActivity?.({
            classId,
            peerId: '',
            name: '',
            event: 'breakout:timeUp',
            payload: null,
            result: null,
          }),
      }),
      recording: opts.recording,
    };
    this.events = new Counter({
      name: 'educloud_live_events_total',
      help: 'Live-class socket events by name and outcome',
      labelNames: ['event', 'outcome'],
      registers: [opts.registry],
    });
    const io = opts.io;
    new Gauge({
      name: 'educloud_live_sockets',
      help: 'Connected live-class sockets on this node',
      registers: [opts.registry],
      collect() {
        this.set(io.of('/').sockets.size);
      },
    });
    opts.io.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err: Error) => next(err),
      );
    });
    opts.io.on('connection', (socket) => this.onConnection(socket));
  }

  /**
   * Brings a server-side publisher (the RTMP bridge) into a class: it appears as a participant
   * and its RTP inputs become producers everyone in the class receives.
   */
  async hostBroadcast(classId: string, name: string): Promise<BroadcastHost> {
    const room = await this.room(classId);
    const peer = room.addServerPeer(name);
    return {
      peerId: peer.peerId,
      addRtpInput: async (kind, rtpParameters) => {
        const input = await room
          .mediaFor(peer.peerId)
          .createRtpInput(peer.peerId, { kind, rtpParameters, source: 'ingest' });
        room.announceProducer({
          producerId: input.producerId,
          peerId: peer.peerId,
          kind,
          source: 'ingest',
          paused: false,
        });
        return input;
      },
      close: () => room.remove(peer.peerId, 'broadcast ended'),
    };
  }

  /** Tells every member connected to the class (on any node) about the OBS broadcast. */
  broadcastStatus(classId: string, status: { live: boolean; recordingId: string | null }) {
    this.opts.io.to(roomChannel(classId)).emit('broadcast:status', status);
  }

  /** Tells every member connected to the class that its recording started or stopped. */
  recordingStatus(classId: string, status: ClassRecordingStatus) {
    this.opts.io.to(roomChannel(classId)).emit('recording:status', status);
  }

  /**
   * What this node holds for live classes: rooms, the peers in them, and the peers with a
   * media budget. For diagnostics and the tests that prove joins and leaves leave nothing
   * behind.
   */
  async holdings(): Promise<{ rooms: number; peers: number; peerBudgets: number }> {
    const rooms = await Promise.all([...this.rooms.values()].map((r) => r.catch(() => undefined)));
    let peers = 0;
    let peerBudgets = 0;
    for (const room of rooms) {
      if (!room) continue;
      peers += room.size;
      peerBudgets += this.limits.trackedPeers(room.currentMedia);
    }
    return { rooms: this.rooms.size, peers, peerBudgets };
  }

  /**
   * Node `nodeId` died (its heartbeat stopped): after the reconnect grace, as for a dropped
   * socket, its participants who did not come back on another node leave the class for
   * everyone (their tiles would otherwise stay on every screen).
   */
  nodeGone(nodeId: string, isBack: () => Promise<boolean>): void {
    const forget = this.opts.state.forgetNodeMembers;
    if (!forget) return;
    const timer = setTimeout(() => {
      // Restarted under the same name meanwhile: its participants may be back on it.
      isBack()
        .then((back) => (back ? [] : forget.call(this.opts.state, nodeId)))
        .then((gone) => {
          for (const { classId, peerId } of gone) {
            this.opts.io.to(roomChannel(classId)).emit('peer:left', { peerId });
          }
          if (gone.length) this.opts.logger.info({ nodeId, peers: gone.length }, 'node forgotten');
        })
        .catch((err: unknown) => this.opts.logger.warn({ err, nodeId }, 'could not forget a node'));
    }, this.opts.reconnectGraceMs);
    timer.unref();
  }

  async close(): Promise<void> {
    this.deps.breakouts.close();
    for (const room of this.rooms.values()) (await room).close();
    this.rooms.clear();
  }

  private async authenticate(socket: Socket): Promise<void> {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') throw new Error('unauthorized: missing token');
    const check = await this.opts.tokens.verify(token);
    if (!check.ok) {
      throw new Error(check.reason === 'expired' ? 'token_expired' : 'unauthorized');
    }
    const session: SocketSession = { principal: check.principal, expiresAt: check.expiresAt };
    socket.data.session = session;
  }

  private onConnection(socket: Socket): void {
    const session = socket.data.session as SocketSession;
    limitSocketRate(socket as unknown as UntypedSocket, {
      ...this.opts.eventRate,
      onRefused: () => this.events.inc({ event: 'any', outcome: 'rate_limited' }),
      onDropped: () => this.dropped.inc(),
    });
    const handlers = this.handlers();
    this.opts.authority.watch(socket, session);
    // Payloads are untrusted until zod has parsed them in dispatch(): listen untyped.
    const raw = socket as unknown as UntypedSocket;
    for (const name of Object.keys(clientEvents) as ClientEventName[]) {
      raw.on(name, (payload: unknown, ack: unknown) => {
        void this.dispatch(
          socket,
          session,
          name,
          handlers[name] as Handler<typeof name>,
          payload,
          ack,
        );
      });
    }
    raw.onAny((event: string, ...args: unknown[]) => {
      if (event in clientEvents) return;
      this.events.inc({ event: 'unknown', outcome: 'validation_failed' });
      const ack = args.at(-1);
      if (typeof ack === 'function') {
        ack({
          ok: false,
          error: { code: 'validation_failed', message: `Unknown event "${event}"` },
        });
      }
    });
    socket.on('disconnect', () => {
      if (session.classId && session.peerId) {
        const room = this.rooms.get(session.classId);
        void room?.then((r) =>
          socket.data.revoked
            ? r.remove(session.peerId!, 'session ended')
            : r.disconnected(session.peerId!, socket),
        );
      }
    });
  }

  private async dispatch<E extends ClientEventName>(
    socket: Socket,
    session: SocketSession,
    name: E,
    handler: Handler<E>,
    payload: unknown,
    ack: unknown,
  ): Promise<void> {
    const reply = (result: Ack<ClientEventResults[E]>) => {
      this.events.inc({ event: name, outcome: result.ok ? 'ok' : result.error.code });
      if (!result.ok) {
        this.opts.logger.debug({ event: name, peerId: session.peerId, ...result.error }, 'refused');
      }
      if (typeof ack === 'function') ack(result);
    };
    const parsed = clientEvents[name].safeParse(payload);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
        .join('; ');
      reply({
        ok: false,
        error: { code: 'validation_failed', message: `Invalid ${name} (${detail})` },
      });
      return;
    }
    try {
      const data = await handler(
        socket,
        session,
        parsed.data as z.output<(typeof clientEvents)[E]>,
      );
      reply({ ok: true, data });
      if (this.opts.onActivity && session.classId && session.peerId) {
        this.opts.onActivity({
          classId: session.classId,
          peerId: session.peerId,
          name: session.principal.name,
          event: name,
          payload: parsed.data,
          result: data,
        });
      }
    } catch (err) {
      if (err instanceof AckError || err instanceof HttpError) {
        reply({ ok: false, error: { code: err.code, message: err.message } });
        return;
      }
      // mediasoup rejects malformed parameters with TypeError; the client sent them.
      if (err instanceof TypeError) {
        reply({ ok: false, error: { code: 'validation_failed', message: err.message } });
        return;
      }
      this.opts.logger.error({ err, event: name }, 'live event failed');
      reply({ ok: false, error: { code: 'internal', message: `Could not complete ${name}` } });
    }
  }

  private async room(classId: string): Promise<LiveRoom> {
    let room = this.rooms.get(classId);
    if (!room) {
      room = this.opts.media.open(classId).then(async (media) => {
        const opened = new LiveRoom(
          classId,
          media,
          this.opts.media,
          this.opts.state,
          this.opts.io,
          this.opts.reconnectGraceMs,
          this.opts.logger.child({ classId }),
          () => {
            this.rooms.delete(classId);
            this.deps.breakouts.forget(classId);
          },
        );
        opened.onMediaReleased((peerId, m) => this.limits.forget(peerId, m));
        opened.onPeerRemoved((peerId) => {
          this.deps.breakouts.peerRemoved(classId, peerId);
          this.opts.onActivity?.({
            classId,
            peerId,
            name: '',
            event: 'peer:left',
            payload: null,
            result: null,
          });
        });
        // Breakouts still running (this node restarted, or another node opened them).
        await this.deps.breakouts
          .resume(opened)
          .catch((err: unknown) =>
            this.opts.logger.error({ err, classId }, 'could not take the breakouts up again'),
          );
        return opened;
      });
      this.rooms.set(classId, room);
      room.catch(() => this.rooms.delete(classId));
    }
    return room;
  }

  private async joined(session: SocketSession) {
    if (!session.classId || !session.peerId) throw new AckError('forbidden', 'Join a class first');
    const room = await this.rooms.get(session.classId);
    if (!room?.peer(session.peerId)) {
      throw new AckError('forbidden', 'You are no longer in this class; join again');
    }
    return { room, peerId: session.peerId, classId: session.classId };
  }

  private async asTeacher(session: SocketSession) {
    const j = await this.joined(session);
    if (session.role !== 'teacher') {
      throw new AckError('forbidden', 'Only the teachers of this class can do that');
    }
    return j;
  }

  /**
   * A participant back after this node restarted: raised hands live in memory by user here,
   * so theirs is taken back, at its place in the queue, from what the LiveState kept.
   */
  private takeBack(classId: string, m: PeerInfo): void {
    if (m.handRaised) this.deps.hands.restore(classId, m.userId, m.handRaisedAt ?? Date.now());
  }

  private handlers(): { [E in ClientEventName]: Handler<E> } {
    return {
      'class:join': async (socket, session, { classId, resumePeerId }) => {
        const role = await this.opts.classes.roleIn(session.principal, classId);
        if (!role) throw new AckError('forbidden', 'You are not a member of this class');
        if (session.classId && session.classId !== classId) {
          throw new AckError('conflict', 'Leave your current class first');
        }
        const { userId, name } = session.principal;
        // Checked before the room opens: a refused join must not leave an empty room behind.
        const open = await this.rooms.get(classId)?.catch(() => undefined);
        const alreadyIn = open?.allPeers().some((p) => p.userId === userId) ?? false;
        await admission(this.deps, classId, socket, { userId, name, role }, alreadyIn);
        const room = await this.room(classId);
        const live = await this.opts.state.isLive(classId);
        // Not known here: perhaps this node restarted while the client was away.
        const remembered =
          resumePeerId && !room.peer(resumePeerId)
            ? await this.opts.state.member(classId, resumePeerId)
            : undefined;
        const result = room.join(socket, { userId, name, role }, live, resumePeerId, remembered);
        Object.assign(session, { classId, peerId: result.peerId, role });
        if (remembered?.peerId === result.peerId) this.takeBack(classId, remembered);
        if (role === 'teacher') void socket.join(teachersChannel(classId));
        // Participants whose sockets are on other nodes (several nodes share the class).
        const here = new Set([result.peerId, ...result.peers.map((p) => p.peerId)]);
        for (const m of (await this.opts.state.classMembers?.(classId)) ?? []) {
          if (!here.has(m.peerId)) result.peers.push(m);
        }
        const activity = await classActivity(this.deps, room, result.peerId, session);
        this.deps.breakouts.sendStateTo(socket, classId);
        await room.persisted();
        const recording = this.deps.recording?.status(classId);
        // A teacher is also told why "record automatically" was refused as the class went live.
        const tell =
          recording?.recording || (role === 'teacher' && live && recording?.refused)
            ? recording
            : undefined;
        // Told after the ack, so the client has set up its handlers for the class.
        if (tell) setImmediate(() => socket.emit('recording:status', tell));
        return { ...result, ...activity };
      },
      'media:capabilities': async () => ({
        routerRtpCapabilities: await this.opts.media.capabilities(),
      }),
      'class:leave': async (socket, session) => {
        const { room, peerId } = await this.joined(session);
        room.remove(peerId, 'left');
        socket.leave(roomChannel(room.classId));
        socket.leave(teachersChannel(room.classId));
        session.classId = session.peerId = session.role = undefined;
        return null;
      },
      'class:start': async (_socket, session) => {
        const { classId, room } = await this.asTeacher(session);
        await this.opts.state.setLive(classId, true);
        this.opts.io.to(roomChannel(classId)).emit('class:live', { live: true });
        await recordIfAutomatic(this.deps, room, session).catch((err: unknown) =>
          this.opts.logger.error({ err, classId }, 'automatic recording could not start'),
        );
        return null;
      },
      'class:end': async (_socket, session) => {
        const { classId, room } = await this.asTeacher(session);
        await this.opts.state.setLive(classId, false);
        this.opts.io.to(roomChannel(classId)).emit('class:live', { live: false });
        this.deps.breakouts.forget(classId);
        room.end();
        await endClassSession(this.deps, classId);
        return null;
      },
      'transport:create': async (_s, session, { direction }) => {
        const { room, peerId } = await this.joined(session);
        const media = room.mediaFor(peerId);
        const release = this.limits.takeTransport(peerId, media, direction);
        const info = await media.createWebRtcTransport(peerId, direction).catch((err: unknown) => {
          release();
          throw err;
        });
        return { ...info, iceServers: this.opts.iceServers?.(session.principal.userId) ?? [] };
      },
      'transport:connect': async (_s, session, { transportId, dtlsParameters }) => {
        const { room, peerId } = await this.joined(session);
        await room.mediaFor(peerId).connectTransport(peerId, transportId, dtlsParameters);
        return null;
      },
      'transport:restartIce': async (_s, session, { transportId }) => {
        const { room, peerId } = await this.joined(session);
        return { iceParameters: await room.mediaFor(peerId).restartIce(peerId, transportId) };
      },
      'transport:stats': async (_s, session, { transportId }) => {
        const { room, peerId } = await this.joined(session);
        return room.mediaFor(peerId).transportStats(peerId, transportId);
      },
      produce: async (socket, session, { transportId, kind, rtpParameters, source }) => {
        const { room, peerId, classId } = await this.joined(session);
        if (session.role !== 'teacher' && !(await this.opts.state.isLive(classId))) {
          throw new AckError('conflict', 'The class has not started yet');
        }
        await checkProduce(this.deps, room, session, peerId, source);
        const media = room.mediaFor(peerId);
        const producerId = await media.produce(peerId, transportId, {
          kind,
          rtpParameters,
          source,
        });
        const paused = await startsPaused(this.deps, room, session, source);
        if (paused) await media.setProducerPaused(peerId, producerId, true);
        const info = { producerId, peerId, kind, source, paused };
        room.addProducer(info, socket);
        await this.deps.breakouts.producerAdded(room, info);
        return { producerId };
      },
      'producer:pause': async (_s, session, { producerId }) => {
        const { room, peerId } = await this.joined(session);
        await room.mediaFor(peerId).setProducerPaused(peerId, producerId, true);
        room.setProducerPaused(producerId, true);
        return null;
      },
      'producer:resume': async (_s, session, { producerId }) => {
        const { room, peerId } = await this.joined(session);
        await checkResume(this.deps, room, session, producerId);
        await room.mediaFor(peerId).setProducerPaused(peerId, producerId, false);
        room.setProducerPaused(producerId, false);
        return null;
      },
      'producer:close': async (_s, session, { producerId }) => {
        const { room, peerId } = await this.joined(session);
        await room.mediaFor(peerId).closeProducer(peerId, producerId);
        room.producerClosed(producerId);
        return null;
      },
      consume: async (_s, session, { transportId, producerId, rtpCapabilities }) => {
        const { room, peerId } = await this.joined(session);
        if (!room.visibleProducer(peerId, producerId)) {
          throw new AckError('not_found', 'No such producer in this class');
        }
        const media = room.mediaFor(peerId);
        const release = this.limits.takeConsumer(peerId, media, producerId, (id) =>
          Boolean(room.visibleProducer(peerId, id)),
        );
        return media
          .consume(peerId, transportId, producerId, rtpCapabilities)
          .catch((err: unknown) => {
            release();
            throw err;
          });
      },
      'consumer:resume': async (_s, session, { consumerId }) => {
        const { room, peerId } = await this.joined(session);
        await room.mediaFor(peerId).resumeConsumer(peerId, consumerId);
        return null;
      },
      'consumer:setPreferredLayers': async (_s, session, p) => {
        const { room, peerId } = await this.joined(session);
        await room
          .mediaFor(peerId)
          .setPreferredLayers(peerId, p.consumerId, p.spatialLayer, p.temporalLayer);
        return null;
      },
      'video:visible': async (_s, session, { peerIds }) => {
        const { room, peerId } = await this.joined(session);
        room.mediaFor(peerId).setVisible(peerId, peerIds);
        return null;
      },
      ...handHandlers(this.deps),
      ...chatHandlers(this.deps),
      ...pollHandlers(this.deps),
      ...waitingHandlers(this.deps),
      ...moderationHandlers(this.deps),
      ...stageHandlers(this.deps),
      ...breakoutHandlers(this.deps),
      ...recordingHandlers(this.deps),
      'session:refresh': (socket, session, { token }) =>
        this.opts.authority.refresh(socket, session, token),
    };
  }
}
