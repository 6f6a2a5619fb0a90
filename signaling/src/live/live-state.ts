import type { PeerInfo } from '@educloud/protocol';

/**
 * Class facts that must outlive a node: whether the class is live and who is in it (with
 * raised hands). A node killed and restarted reads them back, so the class stays live and a
 * returning participant keeps their place. Kept in the database on one node
 * (DatabaseLiveState), in Redis when several nodes share a class (RedisLiveState).
 */
export interface LiveState {
  isLive(classId: string): Promise<boolean>;
  /** Ending a class (`false`) forgets its members too. */
  setLive(classId: string, live: boolean): Promise<void>;
  /** Remembers a participant as they are now (joined, hand raised or lowered). */
  saveMember(classId: string, member: PeerInfo): Promise<void>;
  member(classId: string, peerId: string): Promise<PeerInfo | undefined>;
  removeMember(classId: string, peerId: string): Promise<void>;
  /** Everyone in the class on every node (kept where several nodes share classes). */
  classMembers?(classId: string): Promise<PeerInfo[]>;
  /** Forgets the members a dead node held (see RedisLiveState); returns them. */
  forgetNodeMembers?(nodeId: string): Promise<{ classId: string; peerId: string }[]>;
}

/** For tests and embedders that want nothing kept: lost with the process. */
export class InMemoryLiveState implements LiveState {
  private readonly live = new Set<string>();
  private readonly members = new Map<string, Map<string, PeerInfo>>();

  async isLive(classId: string) {
    return this.live.has(classId);
  }

  async setLive(classId: string, live: boolean) {
    if (live) this.live.add(classId);
    else {
      this.live.delete(classId);
      this.members.delete(classId);
    }
  }

  async saveMember(classId: string, member: PeerInfo) {
    let byPeer = this.members.get(classId);
    if (!byPeer) this.members.set(classId, (byPeer = new Map()));
    byPeer.set(member.peerId, { ...member });
  }

  async member(classId: string, peerId: string) {
    const m = this.members.get(classId)?.get(peerId);
    return m ? { ...m } : undefined;
  }

  async removeMember(classId: string, peerId: string) {
    const byPeer = this.members.get(classId);
    byPeer?.delete(peerId);
    if (byPeer?.size === 0) this.members.delete(classId);
  }
}
