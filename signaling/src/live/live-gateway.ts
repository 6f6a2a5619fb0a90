import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import {
  clientEvents,
  type Ack,
  type ClientEventName,
  type ClientEventResults,
} from '@educloud/protocol';
import type { Principal } from '../auth/principal.js';
import type { TokenService } from '../auth/token-service.js';
import type { ClassService } from '../classes/class-service.js';
import { HttpError } from '../http/http-error.js';
import { AckError } from './ack-error.js';
import { LiveRoom, roomChannel } from './live-room.js';
import type { LiveState } from './live-state.js';
import type { MediaRooms } from './media-port.js';

export interface BroadcastHost {
  peerId: string;
  addRtpInput(
    kind: 'audio' | 'video',
    rtpParameters: unknown,
  ): Promise<{ producerId: string; ip: string; port: number; rtcpPort: number | undefined }>;
  close(): void;
}

interface SocketSession {
  principal: Principal;
  classId?: string;
  peerId?: string;
  role?: 'teacher' | 'student';
}

type Handler<E extends ClientEventName> = (
  socket: Socket,
  session: SocketSession,
  payload: z.output<(typeof clientEvents)[E]>,
) => Promise<ClientEventResults[E]>;

export interface LiveGatewayOptions {
  io: Server;
  tokens: TokenService;
  classes: ClassService;
  media: MediaRooms;
  state: LiveState;
  logger: Logger;
  registry: Registry;
  reconnectGraceMs: number;
}

/**
 * Socket.IO side of a live class: authenticates the handshake, validates every event against
 * the shared protocol, checks the caller may do it, and answers through the ack. Nothing a
 * client sends can throw out of a handler.
 */
export class LiveGateway {
  private readonly rooms = new Map<string, Promise<LiveRoom>>();
  private readonly events: Counter<'event' | 'outcome'>;

  constructor(private readonly opts: LiveGatewayOptions) {
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

  async close(): Promise<void> {
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
    const session: SocketSession = { principal: check.principal };
    socket.data.session = session;
  }

  private onConnection(socket: Socket): void {
    const session = socket.data.session as SocketSession;
    const handlers = this.handlers();
    for (const name of Object.keys(clientEvents) as ClientEventName[]) {
      socket.on(name, (payload: unknown, ack: unknown) => {
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
    socket.onAny((event: string, ...args: unknown[]) => {
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
        void room?.then((r) => r.disconnected(session.peerId!, socket));
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
      room = this.opts.media
        .open(classId)
        .then(
          (media) =>
            new LiveRoom(
              classId,
              media,
              this.opts.media,
              this.opts.state,
              this.opts.io,
              this.opts.reconnectGraceMs,
              this.opts.logger.child({ classId }),
              () => this.rooms.delete(classId),
            ),
        );
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

  private handlers(): { [E in ClientEventName]: Handler<E> } {
    return {
      'class:join': async (socket, session, { classId, resumePeerId }) => {
        const role = await this.opts.classes.roleIn(session.principal, classId);
        if (!role) throw new AckError('forbidden', 'You are not a member of this class');
        if (session.classId && session.classId !== classId) {
          throw new AckError('conflict', 'Leave your current class first');
        }
        const room = await this.room(classId);
        const live = await this.opts.state.isLive(classId);
        // Not known here: perhaps this node restarted while the client was away.
        const remembered =
          resumePeerId && !room.peer(resumePeerId)
            ? await this.opts.state.member(classId, resumePeerId)
            : undefined;
        const result = room.join(
          socket,
          { userId: session.principal.userId, name: session.principal.name, role },
          live,
          resumePeerId,
          remembered,
        );
        Object.assign(session, { classId, peerId: result.peerId, role });
        await room.persisted();
        return result;
      },
      'class:leave': async (socket, session) => {
        const { room, peerId } = await this.joined(session);
        room.remove(peerId, 'left');
        socket.leave(roomChannel(room.classId));
        session.classId = session.peerId = session.role = undefined;
        return null;
      },
      'class:start': async (_socket, session) => {
        const { classId } = await this.asTeacher(session);
        await this.opts.state.setLive(classId, true);
        this.opts.io.to(roomChannel(classId)).emit('class:live', { live: true });
        return null;
      },
      'class:end': async (_socket, session) => {
        const { classId, room } = await this.asTeacher(session);
        await this.opts.state.setLive(classId, false);
        this.opts.io.to(roomChannel(classId)).emit('class:live', { live: false });
        room.end();
        return null;
      },
      'transport:create': async (_s, session, { direction }) => {
        const { room, peerId } = await this.joined(session);
        return room.mediaFor(peerId).createWebRtcTransport(peerId, direction);
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
        const producerId = await room
          .mediaFor(peerId)
          .produce(peerId, transportId, { kind, rtpParameters, source });
        room.addProducer({ producerId, peerId, kind, source, paused: false }, socket);
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
        if (!room.producer(producerId)) {
          throw new AckError('not_found', 'No such producer in this class');
        }
        return room.mediaFor(peerId).consume(peerId, transportId, producerId, rtpCapabilities);
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
      'hand:set': async (_s, session, { raised }) => {
        const { room, peerId } = await this.joined(session);
        room.setHand(peerId, raised);
        await room.persisted();
        return null;
      },
      'moderation:mute': async (_s, session, { peerId: target }) => {
        const { room } = await this.asTeacher(session);
        if (!room.peer(target)) throw new AckError('not_found', 'No such participant');
        for (const p of room.producersOf(target)) {
          if (p.kind !== 'audio' || p.paused) continue;
          await room.mediaFor(target).setProducerPaused(target, p.producerId, true);
          room.setProducerPaused(p.producerId, true);
        }
        return null;
      },
      'moderation:kick': async (_s, session, { peerId: target }) => {
        const { room, peerId } = await this.asTeacher(session);
        const info = room.peer(target);
        if (!info) throw new AckError('not_found', 'No such participant');
        if (target === peerId) throw new AckError('conflict', 'You cannot remove yourself');
        const socket = room.socketOf(target);
        socket?.emit('kicked');
        room.remove(target, 'kicked');
        socket?.disconnect(true);
        return null;
      },
    };
  }
}
