import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  breakoutLimits,
  type BreakoutOpen,
  type BreakoutState,
  type PeerInfo,
  type ProducerInfo,
} from '@educloud/protocol';
import { AckError } from '../ack-error.js';
import type { LiveServer, LiveSocket } from '../live-io.js';
import { roomChannel, type LiveRoom } from '../live-room.js';
import type { MediaRooms } from '../media-port.js';
import { assignManually, assignRandomly, emptiestRoom } from './assignment.js';
import type { BreakoutStore, StoredBreakouts } from './breakout-store.js';
import { ClassBreakouts } from './class-breakouts.js';
import { Countdown } from './countdown.js';

/** Between nodes (Socket.IO's server-side events): a class's breakouts changed in the database. */
const CHANGED = 'educloud:breakouts-changed';

/** What the teacher's voice and picture pipe into the breakouts. */
const spokenSources: ReadonlySet<string> = new Set(['mic', 'camera', 'screen', 'screenAudio']);

export interface BreakoutManagerOptions {
  io: LiveServer;
  media: MediaRooms;
  store: BreakoutStore;
  logger: Logger;
  /** Other nodes share the Socket.IO adapter (Redis): they hear of each change to the clock. */
  multiNode?: boolean;
  now?: () => number;
  /** The clock ran out and everyone went back to the main room (no teacher closed them). */
  onTimeUp?: (classId: string) => void;
}

/**
 * Runs the breakouts of each live class on this node: opens the rooms (a media room each),
 * places students by the class's rule (late joiners too), moves them, keeps the clock (warnings,
 * extend, everyone back at the end), pipes the teacher into every room, and closes them all.
 */
export class BreakoutManager {
  private readonly classes = new Map<string, ClassBreakouts>();
  /** The live room each class's breakouts run in, on this node. */
  private readonly liveRooms = new Map<string, LiveRoom>();
  private readonly now: () => number;

  constructor(private readonly opts: BreakoutManagerOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.multiNode) {
      (opts.io as unknown as { on(e: string, l: (classId: string) => void): void }).on(
        CHANGED,
        (classId) => void this.sync(classId),
      );
    }
  }

  state(classId: string): BreakoutState | null {
    return this.classes.get(classId)?.state() ?? null;
  }

  /** Tells a socket that just joined how the class's breakouts stand. */
  sendStateTo(socket: LiveSocket, classId: string): void {
    const b = this.classes.get(classId);
    if (b) socket.emit('breakout:state', b.state());
  }

  async open(room: LiveRoom, request: BreakoutOpen): Promise<BreakoutState> {
    const { classId } = room;
    if (this.classes.has(classId)) throw new AckError('conflict', 'Breakouts are open already');
    const rooms = Array.from({ length: request.count }, (_, i) => ({
      id: randomUUID(),
      name: `Room ${i + 1}`,
    }));
    const roomIds = rooms.map((r) => r.id);
    const students = room.allPeers().filter((p) => p.role === 'student' && p.userId !== 'server');
    const placement =
      request.assignment === 'random'
        ? assignRandomly([...new Set(students.map((p) => p.userId))], roomIds)
        : request.assignment === 'manual'
          ? assignManually(request.manual ?? [], roomIds, new Set(students.map((p) => p.userId)))
          : new Map<string, string>();
    const stored: StoredBreakouts = {
      sessionId: randomUUID(),
      assignment: request.assignment,
      endsAt: this.now() + request.durationSeconds * 1000,
      rooms,
      placement,
    };
    if (await this.opts.store.running(classId)) {
      throw new AckError('conflict', 'Breakouts are open already');
    }
    await this.opts.store.open(classId, stored, rooms);
    const b = await this.start(room, stored);
    await this.opts.store.place(classId, placement);
    for (const peer of room.allPeers()) {
      const roomId = b.placement.get(peer.userId);
      if (roomId && peer.role === 'student') room.moveTo(peer.peerId, roomId);
    }
    this.opts.logger.info(
      { classId, count: request.count, assignment: request.assignment },
      'breakouts opened',
    );
    this.broadcast(classId);
    return b.state();
  }

  /**
   * The class's room opened on this node (first join, after a restart, on a second node):
   * breakouts still running in the database are taken up again, rooms, clock and placements.
   */
  async resume(room: LiveRoom): Promise<void> {
    const stored = await this.opts.store.running(room.classId);
    if (!stored || this.classes.has(room.classId)) return;
    await this.start(room, stored);
    this.opts.logger.info({ classId: room.classId }, 'breakouts taken up again');
  }

  /** Opens the media rooms and starts the clock of stored breakouts. */
  private async start(room: LiveRoom, stored: StoredBreakouts): Promise<ClassBreakouts> {
    const { classId } = room;
    try {
      for (const r of stored.rooms) await room.openBreakout(r.id);
    } catch (err) {
      room.closeBreakouts();
      await this.opts.store.finish(classId, stored.sessionId);
      throw err;
    }
    // eslint-disable-next-line prefer-const -- the clock's end needs the breakouts it ends
    let b: ClassBreakouts;
    const countdown = new Countdown(
      stored.endsAt,
      breakoutLimits.warnings,
      (secondsLeft) =>
        this.opts.io.to(roomChannel(classId)).emit('breakout:warning', { secondsLeft }),
      () => void this.timeUp(room, b),
      this.now,
    );
    b = new ClassBreakouts(stored.sessionId, stored.rooms, stored.assignment, countdown);
    for (const [userId, roomId] of stored.placement) b.placement.set(userId, roomId);
    this.classes.set(classId, b);
    this.liveRooms.set(classId, room);
    room.setPlacement((info) => this.placeLateJoiner(room, b, info));
    return b;
  }

  /**
   * The clock ran out. With several nodes each runs the clock; the database lets one of them
   * end the breakouts. Another node's extension moves this node's clock instead.
   */
  private async timeUp(room: LiveRoom, b: ClassBreakouts): Promise<void> {
    try {
      if (this.classes.get(room.classId) !== b) return;
      if (await this.opts.store.finish(room.classId, b.sessionId, b.countdown.endsAt)) {
        this.closeHere(room, b, 'time is up', true);
        this.tellOtherNodes(room.classId);
        this.opts.onTimeUp?.(room.classId);
        return;
      }
      const now = await this.opts.store.running(room.classId);
      if (now?.sessionId === b.sessionId) {
        b.countdown.endAt(now.endsAt);
        this.broadcast(room.classId);
      } else {
        // Another node's clock got there first; the recording may be on this node.
        this.closeHere(room, b, 'ended on another node', false);
        this.opts.onTimeUp?.(room.classId);
      }
    } catch (err) {
      this.opts.logger.error({ err, classId: room.classId }, 'could not end the breakouts');
    }
  }

  /** Everyone on this node back to the main room; told to the class when `announce`. */
  private closeHere(room: LiveRoom, b: ClassBreakouts, reason: string, announce: boolean): void {
    if (this.classes.get(room.classId) !== b) return;
    this.classes.delete(room.classId);
    this.liveRooms.delete(room.classId);
    b.countdown.stop();
    b.speaker = null;
    room.setPlacement(undefined);
    room.closeBreakouts();
    this.opts.logger.info({ classId: room.classId, reason }, 'breakouts closed');
    if (announce) this.broadcast(room.classId);
  }

  /**
   * Moves a member to a breakout or back (null). Teachers move anyone (themselves: a visit);
   * a student only themselves, and only when students choose.
   */
  async move(
    room: LiveRoom,
    actor: { userId: string; role: 'teacher' | 'student' },
    userId: string,
    roomId: string | null,
  ): Promise<void> {
    const b = this.running(room.classId);
    if (actor.role !== 'teacher') {
      if (userId !== actor.userId || b.assignment !== 'choose') {
        throw new AckError('forbidden', 'Only the teachers move people between rooms');
      }
    }
    if (roomId !== null && !b.has(roomId)) {
      throw new AckError('not_found', 'No such breakout room in this class');
    }
    const peers = room.allPeers().filter((p) => p.userId === userId);
    if (peers.length === 0 && !b.placement.has(userId)) {
      throw new AckError('not_found', 'No such participant in this class');
    }
    if (peers.some((p) => p.peerId === b.speaker?.peerId) && roomId !== null) {
      throw new AckError('conflict', 'Stop speaking to all rooms before visiting one');
    }
    const isStudent = peers.every((p) => p.role === 'student');
    // Students are remembered where they are (a drop brings them back there); a visiting
    // teacher is not placed.
    if (isStudent) {
      if (roomId === null) b.placement.delete(userId);
      else b.placement.set(userId, roomId);
      await this.opts.store.place(room.classId, new Map([[userId, roomId]]));
    }
    for (const peer of peers) room.moveTo(peer.peerId, roomId);
    this.broadcast(room.classId);
  }

  async extend(room: LiveRoom, seconds: number): Promise<number> {
    const b = this.running(room.classId);
    const endsAt = b.countdown.extend(seconds);
    await this.opts.store.setEnd(room.classId, b.sessionId, endsAt);
    this.tellOtherNodes(room.classId);
    this.broadcast(room.classId);
    return endsAt;
  }

  /** Everyone back to the main room when a short countdown ends (the rooms see it). */
  async closeIn(room: LiveRoom, seconds: number): Promise<number> {
    const b = this.running(room.classId);
    const endsAt = b.countdown.endIn(seconds);
    await this.opts.store.setEnd(room.classId, b.sessionId, endsAt);
    this.tellOtherNodes(room.classId);
    this.broadcast(room.classId);
    return endsAt;
  }

  /** Everyone back to the main room; the breakout rooms close (their documents are kept). */
  async closeAll(room: LiveRoom, reason: string): Promise<void> {
    const b = this.running(room.classId);
    this.closeHere(room, b, reason, true);
    await this.opts.store.finish(room.classId, b.sessionId);
    this.tellOtherNodes(room.classId);
  }

  /** Another node changed the class's breakouts: follow the database (new end, or ended). */
  private async sync(classId: string): Promise<void> {
    const b = this.classes.get(classId);
    const room = this.liveRooms.get(classId);
    if (!b || !room) return;
    try {
      const stored = await this.opts.store.running(classId);
      if (stored?.sessionId === b.sessionId) b.countdown.endAt(stored.endsAt);
      else this.closeHere(room, b, 'ended on another node', false);
    } catch (err) {
      this.opts.logger.warn({ err, classId }, 'could not follow the breakouts of another node');
    }
  }

  private tellOtherNodes(classId: string): void {
    if (this.opts.multiNode) this.opts.io.serverSideEmit(CHANGED as never, classId as never);
  }

  /** Pipes the teacher's microphone, camera and screen into every breakout. */
  async startSpeaking(room: LiveRoom, peerId: string): Promise<void> {
    const b = this.running(room.classId);
    if (room.roomOf(peerId) !== null) {
      throw new AckError('conflict', 'Come back to the main room to speak to all rooms');
    }
    if (b.speaker && b.speaker.peerId !== peerId) {
      throw new AckError('conflict', 'Another teacher speaks to all rooms');
    }
    b.speaker ??= { peerId, piped: new Map() };
    for (const p of room.producersOf(peerId)) await this.pipe(room, b, p);
    this.broadcast(room.classId);
  }

  stopSpeaking(room: LiveRoom, peerId: string): void {
    const b = this.running(room.classId);
    if (!b.speaker) return;
    if (b.speaker.peerId !== peerId) {
      throw new AckError('conflict', 'Another teacher speaks to all rooms');
    }
    this.unpipeAll(room, b);
    this.broadcast(room.classId);
  }

  /** A producer the speaking teacher starts later (a screen share) reaches the rooms too. */
  async producerAdded(room: LiveRoom, info: ProducerInfo): Promise<void> {
    const b = this.classes.get(room.classId);
    if (b?.speaker?.peerId === info.peerId && room.roomOf(info.peerId) === null) {
      await this.pipe(room, b, info);
    }
  }

  /** The speaking teacher left: their producers (and the copies) are gone already. */
  peerRemoved(classId: string, peerId: string): void {
    const b = this.classes.get(classId);
    if (b?.speaker?.peerId === peerId) {
      b.speaker = null;
      this.broadcast(classId);
    }
  }

  message(classId: string, text: string, from: string): void {
    this.running(classId);
    this.opts.io
      .to(roomChannel(classId))
      .emit('breakout:message', { text, from, sentAt: new Date(this.now()).toISOString() });
  }

  /** The class ended or its room closed on this node: stop the clock, end the breakouts. */
  forget(classId: string): void {
    const b = this.classes.get(classId);
    if (!b) return;
    b.countdown.stop();
    this.classes.delete(classId);
    this.liveRooms.delete(classId);
    void this.opts.store
      .finish(classId, b.sessionId)
      .then(() => this.tellOtherNodes(classId))
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'could not close breakouts'));
  }

  /**
   * This node stops: its clocks stop, the breakouts stay stored (running) for the node that
   * takes the class up, or for this one after a restart.
   */
  close(): void {
    for (const b of this.classes.values()) b.countdown.stop();
    this.classes.clear();
    this.liveRooms.clear();
  }

  private async pipe(room: LiveRoom, b: ClassBreakouts, p: ProducerInfo): Promise<void> {
    if (!spokenSources.has(p.source) || !b.speaker || b.speaker.piped.has(p.producerId)) return;
    b.speaker.piped.set(p.producerId, p);
    const copies = await this.opts.media.pipeToBreakouts(room.classId, p.producerId);
    for (const copy of copies) room.announceIn(copy.roomId, { ...p, producerId: copy.producerId });
  }

  private unpipeAll(room: LiveRoom, b: ClassBreakouts): void {
    for (const producerId of b.speaker?.piped.keys() ?? []) {
      this.opts.media.unpipeFromBreakouts(room.classId, producerId);
    }
    b.speaker = null;
  }

  /**
   * A student new to this node while breakouts run: back to the room they were in, or by the
   * class's rule (random: the emptiest room; manual and choose: the main room).
   */
  private placeLateJoiner(room: LiveRoom, b: ClassBreakouts, info: PeerInfo): string | undefined {
    if (info.role !== 'student' || info.userId === 'server') return undefined;
    const known = b.placement.get(info.userId);
    if (known) return known;
    if (b.assignment !== 'random') return undefined;
    const roomId = emptiestRoom(b.roomIds, b.placement);
    b.placement.set(info.userId, roomId);
    void this.opts.store
      .place(room.classId, new Map([[info.userId, roomId]]))
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'could not keep a placement'));
    // After the join has answered, so the newcomer hears it too.
    setImmediate(() => this.broadcast(room.classId));
    return roomId;
  }

  private running(classId: string): ClassBreakouts {
    const b = this.classes.get(classId);
    if (!b) throw new AckError('conflict', 'No breakouts are open');
    return b;
  }

  private broadcast(classId: string): void {
    this.opts.io.to(roomChannel(classId)).emit('breakout:state', this.state(classId));
  }
}
