import { peerLimits } from '@educloud/protocol';
import { AckError } from './ack-error.js';
import type { MediaRoom } from './media-port.js';

interface PeerUsage {
  transports: { send: number; recv: number };
  /** Producer id of each consumer made, so the same producer is not consumed twice. */
  consumed: Set<string>;
}

/**
 * Caps on what one peer may create in the media plane, so a buggy or hostile client cannot
 * exhaust the worker: transports per direction, consumers, one consumer per producer.
 */
export class PeerLimits {
  /**
   * Usage per media room and peer: a rebuilt room (new worker) starts from zero, and a closed
   * one takes its counts with it.
   */
  private readonly usage = new WeakMap<MediaRoom, Map<string, PeerUsage>>();

  /** Reserves a transport; call `release` if creating it then fails. */
  takeTransport(peerId: string, media: MediaRoom, direction: 'send' | 'recv'): () => void {
    const u = this.of(peerId, media);
    if (u.transports[direction] >= peerLimits.transportsPerDirection) {
      throw new AckError(
        'limit_exceeded',
        `At most ${peerLimits.transportsPerDirection} ${direction} transports per participant`,
      );
    }
    u.transports[direction] += 1;
    return () => {
      u.transports[direction] -= 1;
    };
  }

  /**
   * Reserves a consumer of `producerId`. `exists` tells which producers are still there:
   * consumers of closed producers no longer count.
   */
  takeConsumer(
    peerId: string,
    media: MediaRoom,
    producerId: string,
    exists: (producerId: string) => boolean,
  ): () => void {
    const u = this.of(peerId, media);
    for (const id of u.consumed) if (!exists(id)) u.consumed.delete(id);
    if (u.consumed.has(producerId)) {
      throw new AckError('limit_exceeded', 'You already receive this producer');
    }
    if (u.consumed.size >= peerLimits.consumers) {
      throw new AckError(
        'limit_exceeded',
        `At most ${peerLimits.consumers} consumers per participant`,
      );
    }
    u.consumed.add(producerId);
    return () => {
      u.consumed.delete(producerId);
    };
  }

  /**
   * The peer left the room: its budget goes with it. Peer ids are never reused, so without
   * this every join ever made would stay counted for as long as the class's room lives.
   */
  forget(peerId: string, media: MediaRoom): void {
    this.usage.get(media)?.delete(peerId);
  }

  /** How many peers of `media` have a budget here (for tests and diagnostics). */
  trackedPeers(media: MediaRoom): number {
    return this.usage.get(media)?.size ?? 0;
  }

  private of(peerId: string, media: MediaRoom): PeerUsage {
    let peers = this.usage.get(media);
    if (!peers) this.usage.set(media, (peers = new Map()));
    let u = peers.get(peerId);
    if (!u) peers.set(peerId, (u = { transports: { send: 0, recv: 0 }, consumed: new Set() }));
    return u;
  }
}
