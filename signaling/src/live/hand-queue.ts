import type { PeerInfo } from '@educloud/protocol';
import { AckError } from './ack-error.js';
import type { ClassDeps, Handlers } from './live-handler.js';
import type { LiveRoom } from './live-room.js';

/**
 * Raised hands per class, by user rather than by peer: a hand stays up across a reconnect or a
 * second tab. Queue order is the time each hand went up.
 */
export class HandQueue {
  private readonly hands = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  raisedAt(classId: string, userId: string): number | null {
    return this.hands.get(classId)?.get(userId) ?? null;
  }

  /** Raising a hand already up keeps its place in the queue. */
  set(classId: string, userId: string, raised: boolean): number | null {
    let hands = this.hands.get(classId);
    if (!raised) {
      hands?.delete(userId);
      return null;
    }
    if (!hands) this.hands.set(classId, (hands = new Map()));
    const at = hands.get(userId) ?? this.now();
    hands.set(userId, at);
    return at;
  }

  /** A hand remembered from before a restart, at its original place in the queue. */
  restore(classId: string, userId: string, at: number): void {
    let hands = this.hands.get(classId);
    if (!hands) this.hands.set(classId, (hands = new Map()));
    if (!hands.has(userId)) hands.set(userId, at);
  }

  raisedUsers(classId: string): string[] {
    return [...(this.hands.get(classId)?.keys() ?? [])];
  }

  forget(classId: string): void {
    this.hands.delete(classId);
  }
}

export function handHandlers(d: ClassDeps): Handlers<'hand:set' | 'hand:lower' | 'hand:lowerAll'> {
  const lower = (room: LiveRoom, peer: PeerInfo) => {
    d.hands.set(room.classId, peer.userId, false);
    room.updatePeer(peer.peerId, { handRaised: false, handRaisedAt: null });
  };
  return {
    'hand:set': async (_s, session, { raised }) => {
      const { room, peerId, classId } = await d.guards.joined(session);
      const at = d.hands.set(classId, session.principal.userId, raised);
      room.updatePeer(peerId, { handRaised: raised, handRaisedAt: at });
      // Kept before the answer: a hand acknowledged survives a crash right after.
      await room.persisted();
      return null;
    },
    'hand:lower': async (_s, session, { peerId }) => {
      const { room } = await d.guards.asTeacher(session);
      const peer = room.peer(peerId);
      if (!peer) throw new AckError('not_found', 'No such participant');
      lower(room, peer);
      return null;
    },
    'hand:lowerAll': async (_s, session) => {
      const { room } = await d.guards.asTeacher(session);
      for (const peer of room.allPeers()) if (peer.handRaised) lower(room, peer);
      d.hands.forget(room.classId);
      return null;
    },
  };
}
