import type { ProducerInfo } from '@educloud/protocol';
import type { LiveServer as Server, LiveSocket as Socket } from './live-io.js';
import type { MediaRoom } from './media-port.js';

/** The Socket.IO channel of the people whose media is in one room of a class. */
export function mediaChannel(spaceId: string): string {
  return `media:${spaceId}`;
}

/**
 * One room of a live class on the media side (the main room, or a breakout): its MediaRoom and
 * the producers in it. Producer news goes to the sockets whose media is in this room only.
 */
export class MediaSpace {
  private readonly producers = new Map<string, ProducerInfo>();

  constructor(
    /** The class id for the main room, the breakout id otherwise. */
    readonly id: string,
    public media: MediaRoom,
    private readonly io: Server,
  ) {}

  get channel(): string {
    return mediaChannel(this.id);
  }

  /**
   * Tells the room's sockets (except `from`, the producing one) about a new producer. Only
   * this node's: with several nodes, each node announces a producer once it can be consumed
   * there (piped in from the node it was made on).
   */
  add(info: ProducerInfo, from?: Socket): void {
    this.producers.set(info.producerId, info);
    (from ? from.to(this.channel) : this.io.to(this.channel)).local.emit('producer:new', info);
  }

  get(producerId: string): ProducerInfo | undefined {
    return this.producers.get(producerId);
  }

  list(exceptPeerId?: string): ProducerInfo[] {
    return [...this.producers.values()].filter((p) => p.peerId !== exceptPeerId);
  }

  producersOf(peerId: string): ProducerInfo[] {
    return [...this.producers.values()].filter((p) => p.peerId === peerId);
  }

  setPaused(producerId: string, paused: boolean): void {
    const p = this.producers.get(producerId);
    if (!p) return;
    p.paused = paused;
    this.io.to(this.channel).emit('producer:paused', { producerId, peerId: p.peerId, paused });
  }

  /** Records a pause that was announced already (by the producer's own node). */
  notePaused(producerId: string, paused: boolean): void {
    const p = this.producers.get(producerId);
    if (p) p.paused = paused;
  }

  closed(producerId: string): void {
    const p = this.producers.get(producerId);
    if (!p) return;
    this.producers.delete(producerId);
    this.io.to(this.channel).emit('producer:closed', { producerId, peerId: p.peerId });
  }

  /** Forgets a peer that left the class: the others learn it from `peer:left`. */
  forgetPeer(peerId: string): void {
    for (const [id, p] of this.producers) if (p.peerId === peerId) this.producers.delete(id);
  }

  /**
   * Forgets the producers another node piped in for a peer whose socket is now on this node:
   * the others stop consuming them (the pipe closes them on the media side when it drops).
   */
  releaseRemote(peerId: string): void {
    for (const p of this.producersOf(peerId)) this.closed(p.producerId);
  }

  /** The peer's media leaves this room (moved elsewhere): the others stop receiving it. */
  releasePeer(peerId: string): void {
    for (const p of this.producersOf(peerId)) this.closed(p.producerId);
    this.media.removePeer(peerId);
  }

  clear(): void {
    this.producers.clear();
  }
}
