import type { Logger } from 'pino';
import type { LiveServer as Server, LiveSocket as Socket } from './live-io.js';
import type { JoinResult, PeerInfo, ProducerInfo } from '@educloud/protocol';
import { AckError } from './ack-error.js';
import type { LiveState } from './live-state.js';
import type { MediaRoom, MediaRooms } from './media-port.js';
import { MediaSpace } from './media-space.js';

/** What the room itself answers to `class:join`; the gateway adds the class's activity. */
export type RoomJoinResult = Omit<
  JoinResult,
  'chat' | 'settings' | 'polls' | 'pollResults' | 'waiting'
>;

interface PeerEntry {
  info: PeerInfo;
  socket: Socket | null;
  graceTimer: NodeJS.Timeout | undefined;
}

export function roomChannel(classId: string): string {
  return `class:${classId}`;
}

/** The class's teachers only: private chat, live poll results, the waiting list. */
export function teachersChannel(classId: string): string {
  return `class:${classId}:teachers`;
}

/**
 * The people in one live class on this node and what they publish. Media objects live in the
 * MediaRooms; this keeps who-is-who, reconnection grace, and tells the others what changed.
 * Who is in the class is also written to the LiveState, so a restarted node can take a
 * returning participant back under the same peer id, hand still raised.
 *
 * A class is one class with several rooms: everyone is in the class (roster, chat, class
 * events), and each participant's media is in one of its rooms, the main room or a breakout.
 */
export class LiveRoom {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly main: MediaSpace;
  private readonly breakouts = new Map<string, MediaSpace>();
  /** Breakout of each participant whose media is in one (absent: the main room). */
  private readonly location = new Map<string, string>();
  private readonly removedListeners = new Set<(peerId: string, media: MediaRoom) => void>();
  private readonly releasedListeners = new Set<(peerId: string, media: MediaRoom) => void>();
  /** Where a participant new to this node goes (breakouts set it while they run). */
  private placement: ((info: PeerInfo) => string | undefined) | undefined;
  /** Writes to the LiveState, one after another so a leave never lands before its join. */
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly classId: string,
    media: MediaRoom,
    private readonly rooms: MediaRooms,
    private readonly state: LiveState,
    private readonly io: Server,
    private readonly graceMs: number,
    private readonly log: Logger,
    private readonly onEmpty: () => void,
  ) {
    this.main = new MediaSpace(classId, media, io);
    this.watchMedia(this.main, media);
  }

  /** The class's main media room now (a lost worker replaces it). */
  get currentMedia(): MediaRoom {
    return this.main.media;
  }

  get size(): number {
    return this.peers.size;
  }

  peer(peerId: string): PeerInfo | undefined {
    return this.peers.get(peerId)?.info;
  }

  mediaFor(peerId: string): MediaRoom {
    if (!this.peers.has(peerId)) throw new AckError('forbidden', 'Join the class first');
    return this.spaceOf(peerId).media;
  }

  /** The breakout the participant's media is in; null for the main room. */
  roomOf(peerId: string): string | null {
    return this.location.get(peerId) ?? null;
  }

  join(
    socket: Socket,
    who: { userId: string; name: string; role: 'teacher' | 'student' },
    live: boolean,
    resumePeerId: string | undefined,
    /** What the LiveState remembers of `resumePeerId`, when this node does not know it. */
    remembered?: PeerInfo,
  ): RoomJoinResult {
    const resumable = resumePeerId ? this.peers.get(resumePeerId) : undefined;
    if (resumable && resumable.info.userId === who.userId) {
      const previous = resumable.socket;
      clearTimeout(resumable.graceTimer);
      resumable.graceTimer = undefined;
      resumable.socket = socket;
      if (previous && previous.id !== socket.id) previous.disconnect(true);
      socket.join(roomChannel(this.classId));
      socket.join(this.spaceOf(resumable.info.peerId).channel);
      this.log.info({ peerId: resumable.info.peerId }, 'peer resumed');
      return this.joinResult(resumable.info, live, true);
    }
    // Back after this node restarted: same place and hand, but media must be set up again.
    const returning =
      !resumable &&
      remembered?.peerId === resumePeerId &&
      remembered?.userId === who.userId &&
      !this.peers.has(remembered.peerId)
        ? remembered
        : undefined;
    // The same person in a second tab (or back after the grace): the newest session wins.
    for (const entry of this.peers.values()) {
      if (entry.info.userId === who.userId) {
        // The same socket joining again without resuming starts over; another tab is told.
        if (entry.socket && entry.socket.id !== socket.id) {
          entry.socket.emit('session:replaced');
          entry.socket.disconnect(true);
        }
        // The room must outlive this removal: the new session joins it right after.
        this.remove(entry.info.peerId, 'replaced', false);
      }
    }
    const info: PeerInfo = {
      peerId: returning?.peerId ?? crypto.randomUUID(),
      userId: who.userId,
      name: who.name,
      role: who.role,
      handRaised: returning?.handRaised ?? false,
      handRaisedAt: returning?.handRaisedAt ?? null,
      forcedMute: returning?.forcedMute ?? false,
    };
    this.peers.set(info.peerId, { info, socket, graceTimer: undefined });
    const placed = this.placement?.(info);
    if (placed && this.breakouts.has(placed)) this.location.set(info.peerId, placed);
    // Back from another node (it died, or the balancer moved them): what they published there
    // is still piped in here until that node's link drops; it is stale, and in the way of
    // publishing again ("you already publish a mic").
    for (const space of this.spaces()) space.releaseRemote(info.peerId);
    this.persist((s) => s.saveMember(this.classId, { ...info }));
    this.pinIfTeacher(info);
    socket.to(roomChannel(this.classId)).emit('peer:joined', info);
    socket.join(roomChannel(this.classId));
    socket.join(this.spaceOf(info.peerId).channel);
    this.log.info(
      { peerId: info.peerId, userId: who.userId },
      returning ? 'peer back after a restart' : 'peer joined',
    );
    return this.joinResult(info, live, false);
  }

  /**
   * A participant driven by the server itself (the OBS broadcast bridge): it has no socket,
   * never times out, and keeps the room open while it is there.
   */
  addServerPeer(name: string): PeerInfo {
    const info: PeerInfo = {
      peerId: `server:${crypto.randomUUID()}`,
      userId: 'server',
      name,
      role: 'teacher',
      handRaised: false,
      handRaisedAt: null,
      forcedMute: false,
    };
    this.peers.set(info.peerId, { info, socket: null, graceTimer: undefined });
    this.io.to(roomChannel(this.classId)).emit('peer:joined', info);
    return info;
  }

  /** Announces a producer made on the server's side (no client socket to skip). */
  announceProducer(info: ProducerInfo): void {
    this.spaceOf(info.peerId).add(info);
  }

  /** The socket dropped: keep the peer for a grace period so a reconnect can resume. */
  disconnected(peerId: string, socket: Socket): void {
    const entry = this.peers.get(peerId);
    if (!entry || entry.socket?.id !== socket.id) return;
    entry.socket = null;
    entry.graceTimer = setTimeout(() => this.remove(peerId, 'grace expired'), this.graceMs);
    entry.graceTimer.unref();
  }

  remove(peerId: string, reason: string, closeIfEmpty = true): void {
    const entry = this.peers.get(peerId);
    if (!entry) return;
    clearTimeout(entry.graceTimer);
    this.peers.delete(peerId);
    if (entry.info.userId !== 'server') this.persist((s) => s.removeMember(this.classId, peerId));
    const space = this.spaceOf(peerId);
    this.location.delete(peerId);
    entry.socket?.leave(roomChannel(this.classId));
    entry.socket?.leave(space.channel);
    space.forgetPeer(peerId);
    space.media.removePeer(peerId);
    for (const listener of this.releasedListeners) listener(peerId, space.media);
    for (const listener of this.removedListeners) listener(peerId, space.media);
    this.io.to(roomChannel(this.classId)).emit('peer:left', { peerId });
    this.log.info({ peerId, reason }, 'peer left');
    if (closeIfEmpty && this.peers.size === 0) this.close();
  }

  addProducer(info: ProducerInfo, from: Socket): void {
    this.spaceOf(info.peerId).add(info, from);
  }

  /** What the participant publishes in the room their media is in. */
  producersOf(peerId: string): ProducerInfo[] {
    return this.spaceOf(peerId).producersOf(peerId);
  }

  /** A producer of any room of the class. */
  producer(producerId: string): ProducerInfo | undefined {
    for (const space of this.spaces()) {
      const p = space.get(producerId);
      if (p) return p;
    }
    return undefined;
  }

  /** A producer the participant may consume: one of the room their media is in. */
  visibleProducer(peerId: string, producerId: string): ProducerInfo | undefined {
    return this.spaceOf(peerId).get(producerId);
  }

  setProducerPaused(producerId: string, paused: boolean): void {
    for (const space of this.spaces()) space.setPaused(producerId, paused);
  }

  producerClosed(producerId: string): void {
    for (const space of this.spaces()) space.closed(producerId);
  }

  /** A breakout room of the class, with its own media room. */
  async openBreakout(breakoutId: string): Promise<void> {
    if (this.breakouts.has(breakoutId)) return;
    const media = await this.rooms.openBreakout(this.classId, breakoutId);
    const space = new MediaSpace(breakoutId, media, this.io);
    this.breakouts.set(breakoutId, space);
    this.watchMedia(space, media);
  }

  get breakoutIds(): string[] {
    return [...this.breakouts.keys()];
  }

  /** A producer forwarded into a breakout (the teacher speaking to all rooms). */
  announceIn(breakoutId: string, info: ProducerInfo): void {
    this.breakouts.get(breakoutId)?.add(info);
  }

  /**
   * Moves a participant's media to a breakout (or the main room with null): their transports
   * and producers in the old room close, the room's others stop receiving them, and their
   * client is told to set media up again against the new room's router.
   */
  moveTo(peerId: string, breakoutId: string | null): void {
    const entry = this.peers.get(peerId);
    if (!entry) return;
    if (breakoutId !== null && !this.breakouts.has(breakoutId)) {
      throw new AckError('not_found', 'No such breakout room in this class');
    }
    if (this.roomOf(peerId) === breakoutId) return;
    const from = this.spaceOf(peerId);
    // Out of the old room's channel first: the producer:closed news of its own producers
    // would make the client drop its camera and microphone instead of carrying them over.
    entry.socket?.leave(from.channel);
    from.releasePeer(peerId);
    for (const listener of this.releasedListeners) listener(peerId, from.media);
    if (breakoutId === null) this.location.delete(peerId);
    else this.location.set(peerId, breakoutId);
    const to = this.spaceOf(peerId);
    this.pinIfTeacher(entry.info);
    entry.socket?.join(to.channel);
    entry.socket?.emit('breakout:moved', {
      roomId: breakoutId,
      routerRtpCapabilities: to.media.rtpCapabilities,
      producers: to.list(peerId),
    });
    this.log.info({ peerId, from: from.id, to: to.id }, 'peer moved');
  }

  /** Everyone back to the main room, then every breakout room closes. */
  closeBreakouts(): void {
    for (const peerId of [...this.location.keys()]) this.moveTo(peerId, null);
    this.rooms.closeBreakouts(this.classId);
    for (const space of this.breakouts.values()) space.clear();
    this.breakouts.clear();
  }

  /** Decides where participants new to this node go while breakouts run (undefined: main). */
  setPlacement(place: ((info: PeerInfo) => string | undefined) | undefined): void {
    this.placement = place;
  }

  /** Changes what everyone sees of a participant (hand, forced mute, role) and tells them. */
  updatePeer(
    peerId: string,
    patch: Partial<Pick<PeerInfo, 'handRaised' | 'handRaisedAt' | 'forcedMute' | 'role'>>,
  ): void {
    const entry = this.peers.get(peerId);
    if (!entry) return;
    Object.assign(entry.info, patch);
    if (patch.role) this.spaceOf(peerId).media.setPinned(peerId, patch.role === 'teacher');
    if (entry.info.userId !== 'server') {
      this.persist((s) => s.saveMember(this.classId, { ...entry.info }));
    }
    this.io.to(roomChannel(this.classId)).emit('peer:updated', entry.info);
  }

  allPeers(): PeerInfo[] {
    return [...this.peers.values()].map((p) => p.info);
  }

  /** Whatever else keeps something per peer forgets it here, when the peer has left. */
  onPeerRemoved(listener: (peerId: string, media: MediaRoom) => void): void {
    this.removedListeners.add(listener);
  }

  /** The peer's media left `media` (they left the class, or moved to another room). */
  onMediaReleased(listener: (peerId: string, media: MediaRoom) => void): void {
    this.releasedListeners.add(listener);
  }

  /** Resolves once every change so far is in the LiveState (answer a join after it). */
  persisted(): Promise<void> {
    return this.saving;
  }

  socketOf(peerId: string): Socket | null {
    return this.peers.get(peerId)?.socket ?? null;
  }

  /** Ends the class for everyone on this node. */
  end(): void {
    this.io.to(roomChannel(this.classId)).emit('class:ended');
    for (const peerId of [...this.peers.keys()]) this.remove(peerId, 'class ended');
  }

  close(): void {
    for (const entry of this.peers.values()) clearTimeout(entry.graceTimer);
    this.peers.clear();
    this.location.clear();
    if (this.breakouts.size > 0) this.rooms.closeBreakouts(this.classId);
    for (const space of this.spaces()) space.clear();
    this.breakouts.clear();
    this.main.media.close();
    this.onEmpty();
  }

  private persist(write: (state: LiveState) => Promise<void>): void {
    this.saving = this.saving
      .then(() => write(this.state))
      .catch((err: unknown) => this.log.warn({ err }, 'could not keep live-class state'));
  }

  private spaceOf(peerId: string): MediaSpace {
    const breakoutId = this.location.get(peerId);
    return (breakoutId && this.breakouts.get(breakoutId)) || this.main;
  }

  private spaces(): MediaSpace[] {
    return [this.main, ...this.breakouts.values()];
  }

  private joinResult(info: PeerInfo, live: boolean, resumed: boolean): RoomJoinResult {
    const space = this.spaceOf(info.peerId);
    return {
      peerId: info.peerId,
      role: info.role,
      resumed,
      live,
      routerRtpCapabilities: space.media.rtpCapabilities,
      peers: [...this.peers.values()].map((p) => p.info).filter((p) => p.peerId !== info.peerId),
      producers: space.list(info.peerId),
    };
  }

  private watchMedia(space: MediaSpace, media: MediaRoom): void {
    const current = () => media === space.media && this.isOpen(space);
    media.onConsumerClosed((peerId, consumerId) => {
      if (current()) this.socketOf(peerId)?.emit('consumer:closed', { consumerId });
    });
    media.onProducerClosed((_peerId, producerId) => {
      if (current()) space.closed(producerId);
    });
    media.onRemoteProducer?.((info) => {
      if (current()) space.add(info);
    });
    // Kept for whoever joins here later; the clients already heard it from the producer's node.
    media.onRemoteProducerPaused?.((producerId, paused) => {
      if (current()) space.notePaused(producerId, paused);
    });
    media.onActiveSpeaker((peerId) => {
      if (current()) this.io.to(space.channel).emit('speaker:active', { peerId });
    });
    media.onVideoSelection((peerId, peerIds) => {
      if (current()) this.socketOf(peerId)?.emit('video:selection', { peerIds });
    });
    media.onVideoLayers((peerId, producerId, maxSpatialLayer) => {
      if (current()) this.socketOf(peerId)?.emit('video:layers', { producerId, maxSpatialLayer });
    });
    media.onPeersLost?.((peerIds) => {
      if (!current()) return;
      this.log.warn({ room: space.id, peerIds }, 'media lost for some peers; they set it up again');
      for (const peerId of peerIds) this.socketOf(peerId)?.emit('media:reconnect');
    });
    media.onLost(() => {
      if (!current()) return;
      this.log.warn({ room: space.id }, 'media room lost; rebuilding it');
      space.clear();
      void this.rebuildMedia(space);
    });
  }

  /** Last-N never hides a teacher's camera. */
  private pinIfTeacher(info: PeerInfo): void {
    if (info.role === 'teacher') this.spaceOf(info.peerId).media.setPinned(info.peerId, true);
  }

  private isOpen(space: MediaSpace): boolean {
    return space === this.main || this.breakouts.get(space.id) === space;
  }

  /** A replacement worker takes a moment to start: retry for a while before giving up. */
  private async rebuildMedia(space: MediaSpace): Promise<void> {
    for (let attempt = 1; attempt <= 30; attempt++) {
      if (this.peers.size === 0 || !this.isOpen(space)) return;
      try {
        const fresh =
          space === this.main
            ? await this.rooms.open(this.classId)
            : await this.rooms.openBreakout(this.classId, space.id);
        if (this.peers.size === 0 || !this.isOpen(space)) {
          fresh.close();
          return;
        }
        space.media = fresh;
        this.watchMedia(space, fresh);
        for (const p of this.peers.values()) {
          if (this.spaceOf(p.info.peerId) === space) this.pinIfTeacher(p.info);
        }
        this.io.to(space.channel).emit('media:reconnect');
        return;
      } catch (err) {
        this.log.warn({ err, attempt, room: space.id }, 'media room not rebuilt yet');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.log.error('could not rebuild the media room; ending the class on this node');
    this.end();
  }
}
