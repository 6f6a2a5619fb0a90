import type { Logger } from 'pino';
import type { LiveServer as Server, LiveSocket as Socket } from './live-io.js';
import type { JoinResult, PeerInfo, ProducerInfo } from '@educloud/protocol';
import { AckError } from './ack-error.js';
import type { LiveState } from './live-state.js';
import type { MediaRoom, MediaRooms } from './media-port.js';

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
 * MediaRoom; this keeps who-is-who, reconnection grace, and tells the others what changed.
 * Who is in the class is also written to the LiveState, so a restarted node can take a
 * returning participant back under the same peer id, hand still raised.
 */
export class LiveRoom {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly producers = new Map<string, ProducerInfo>();
  private media: MediaRoom;
  private readonly removedListeners = new Set<(peerId: string, media: MediaRoom) => void>();
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
    this.media = media;
    this.watchMedia(media);
  }

  /** The class's media room now (a lost worker replaces it). */
  get currentMedia(): MediaRoom {
    return this.media;
  }

  get size(): number {
    return this.peers.size;
  }

  peer(peerId: string): PeerInfo | undefined {
    return this.peers.get(peerId)?.info;
  }

  mediaFor(peerId: string): MediaRoom {
    if (!this.peers.has(peerId)) throw new AckError('forbidden', 'Join the class first');
    return this.media;
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
    this.persist((s) => s.saveMember(this.classId, { ...info }));
    socket.to(roomChannel(this.classId)).emit('peer:joined', info);
    socket.join(roomChannel(this.classId));
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
    this.producers.set(info.producerId, info);
    this.io.to(roomChannel(this.classId)).emit('producer:new', info);
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
    entry.socket?.leave(roomChannel(this.classId));
    for (const [id, p] of this.producers) if (p.peerId === peerId) this.producers.delete(id);
    this.media.removePeer(peerId);
    for (const listener of this.removedListeners) listener(peerId, this.media);
    this.io.to(roomChannel(this.classId)).emit('peer:left', { peerId });
    this.log.info({ peerId, reason }, 'peer left');
    if (closeIfEmpty && this.peers.size === 0) this.close();
  }

  addProducer(info: ProducerInfo, from: Socket): void {
    this.producers.set(info.producerId, info);
    from.to(roomChannel(this.classId)).emit('producer:new', info);
  }

  producersOf(peerId: string): ProducerInfo[] {
    return [...this.producers.values()].filter((p) => p.peerId === peerId);
  }

  producer(producerId: string): ProducerInfo | undefined {
    return this.producers.get(producerId);
  }

  setProducerPaused(producerId: string, paused: boolean): void {
    const p = this.producers.get(producerId);
    if (!p) return;
    p.paused = paused;
    this.io
      .to(roomChannel(this.classId))
      .emit('producer:paused', { producerId, peerId: p.peerId, paused });
  }

  producerClosed(producerId: string): void {
    const p = this.producers.get(producerId);
    if (!p) return;
    this.producers.delete(producerId);
    this.io.to(roomChannel(this.classId)).emit('producer:closed', { producerId, peerId: p.peerId });
  }

  /** Changes what everyone sees of a participant (hand, forced mute, role) and tells them. */
  updatePeer(
    peerId: string,
    patch: Partial<Pick<PeerInfo, 'handRaised' | 'handRaisedAt' | 'forcedMute' | 'role'>>,
  ): void {
    const entry = this.peers.get(peerId);
    if (!entry) return;
    Object.assign(entry.info, patch);
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
    this.producers.clear();
    this.media.close();
    this.onEmpty();
  }

  private persist(write: (state: LiveState) => Promise<void>): void {
    this.saving = this.saving
      .then(() => write(this.state))
      .catch((err: unknown) => this.log.warn({ err }, 'could not keep live-class state'));
  }

  private joinResult(info: PeerInfo, live: boolean, resumed: boolean): RoomJoinResult {
    return {
      peerId: info.peerId,
      role: info.role,
      resumed,
      live,
      routerRtpCapabilities: this.media.rtpCapabilities,
      peers: [...this.peers.values()].map((p) => p.info).filter((p) => p.peerId !== info.peerId),
      producers: [...this.producers.values()].filter((p) => p.peerId !== info.peerId),
    };
  }

  private watchMedia(media: MediaRoom): void {
    const current = () => media === this.media;
    media.onConsumerClosed((peerId, consumerId) => {
      if (current()) this.socketOf(peerId)?.emit('consumer:closed', { consumerId });
    });
    media.onProducerClosed((_peerId, producerId) => {
      if (current()) this.producerClosed(producerId);
    });
    media.onActiveSpeaker((peerId) => {
      if (current()) this.io.to(roomChannel(this.classId)).emit('speaker:active', { peerId });
    });
    media.onLost(() => {
      if (!current()) return;
      this.log.warn('media room lost; rebuilding it');
      this.producers.clear();
      void this.rebuildMedia();
    });
  }

  /** A replacement worker takes a moment to start: retry for a while before giving up. */
  private async rebuildMedia(): Promise<void> {
    for (let attempt = 1; attempt <= 30; attempt++) {
      if (this.peers.size === 0) return;
      try {
        const fresh = await this.rooms.open(this.classId);
        if (this.peers.size === 0) {
          fresh.close();
          return;
        }
        this.media = fresh;
        this.watchMedia(fresh);
        this.io.to(roomChannel(this.classId)).emit('media:reconnect');
        return;
      } catch (err) {
        this.log.warn({ err, attempt }, 'media room not rebuilt yet');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.log.error('could not rebuild the media room; ending the class on this node');
    this.end();
  }
}
