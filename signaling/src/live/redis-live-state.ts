import type { Redis } from 'ioredis';
import { peerInfoSchema, type PeerInfo } from '@educloud/protocol';
import type { LiveState } from './live-state.js';

// Deletes the members ARGV[2..] of class KEYS (members hash, node hash) still placed on node
// ARGV[1] (not those who came back elsewhere meanwhile); returns those deleted.
const FORGET_ON_NODE = `
local gone = {}
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    table.insert(gone, ARGV[i])
  end
end
return gone`;

/**
 * Class facts in Redis, so every node sees the same "this class is live" and members. With a
 * node id, each member's node is kept too, so the others can forget the members of a node that
 * died (a member never seen to leave would stay on everyone's screen).
 */
export class RedisLiveState implements LiveState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'educloud:live:',
    private readonly nodeId?: string,
  ) {}

  async isLive(classId: string): Promise<boolean> {
    return (await this.redis.exists(this.prefix + classId)) === 1;
  }

  async setLive(classId: string, live: boolean): Promise<void> {
    if (live) {
      await this.redis.set(this.prefix + classId, new Date().toISOString());
      return;
    }
    // Members still placed on other nodes are listed in those nodes' sets too; left there, the
    // entries of an ended class would stay until that node died.
    const placed = await this.redis.hgetall(this.nodesKey(classId));
    const write = this.redis.multi();
    for (const [peerId, nodeId] of Object.entries(placed)) {
      write.srem(this.onNodeKey(nodeId), `${classId} ${peerId}`);
    }
    write.del(this.prefix + classId, this.membersKey(classId), this.nodesKey(classId));
    await write.exec();
  }

  async saveMember(classId: string, member: PeerInfo): Promise<void> {
    const write = this.redis
      .multi()
      .hset(this.membersKey(classId), member.peerId, JSON.stringify(member));
    if (this.nodeId) {
      write
        .hset(this.nodesKey(classId), member.peerId, this.nodeId)
        .sadd(this.onNodeKey(this.nodeId), `${classId} ${member.peerId}`);
    }
    await write.exec();
  }

  async member(classId: string, peerId: string): Promise<PeerInfo | undefined> {
    const raw = await this.redis.hget(this.membersKey(classId), peerId);
    if (raw === null) return undefined;
    // Written by us, but Redis is shared: read it as untrusted.
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const parsed = peerInfoSchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  }

  async classMembers(classId: string): Promise<PeerInfo[]> {
    const all = await this.redis.hgetall(this.membersKey(classId));
    const list: PeerInfo[] = [];
    for (const raw of Object.values(all)) {
      try {
        const parsed = peerInfoSchema.safeParse(JSON.parse(raw));
        if (parsed.success) list.push(parsed.data);
      } catch {
        // Not ours: skip it.
      }
    }
    return list;
  }

  async removeMember(classId: string, peerId: string): Promise<void> {
    // The member may be placed on another node than the one removing it (a teacher's removal).
    const placedOn = await this.redis.hget(this.nodesKey(classId), peerId);
    const write = this.redis
      .multi()
      .hdel(this.membersKey(classId), peerId)
      .hdel(this.nodesKey(classId), peerId);
    for (const nodeId of new Set([placedOn, this.nodeId])) {
      if (nodeId) write.srem(this.onNodeKey(nodeId), `${classId} ${peerId}`);
    }
    await write.exec();
  }

  /**
   * Forgets the members node `nodeId` (dead) held and nobody took back since, class by class;
   * returns them. Safe to run on several nodes at once: each member is returned once.
   */
  async forgetNodeMembers(nodeId: string): Promise<{ classId: string; peerId: string }[]> {
    const entries = await this.redis.smembers(this.onNodeKey(nodeId));
    const byClass = new Map<string, string[]>();
    for (const entry of entries) {
      const [classId, peerId] = entry.split(' ');
      if (!classId || !peerId) continue;
      byClass.set(classId, [...(byClass.get(classId) ?? []), peerId]);
    }
    const gone: { classId: string; peerId: string }[] = [];
    for (const [classId, peerIds] of byClass) {
      const removed = (await this.redis.eval(
        FORGET_ON_NODE,
        2,
        this.membersKey(classId),
        this.nodesKey(classId),
        nodeId,
        ...peerIds,
      )) as string[];
      for (const peerId of removed) gone.push({ classId, peerId });
      await this.redis.srem(this.onNodeKey(nodeId), ...peerIds.map((p) => `${classId} ${p}`));
    }
    return gone;
  }

  private membersKey(classId: string): string {
    return `${this.prefix}members:${classId}`;
  }

  /** The node each member's socket is on. */
  private nodesKey(classId: string): string {
    return `${this.prefix}member-nodes:${classId}`;
  }

  /** Every "classId peerId" a node holds (or held: entries of members who moved stay a while). */
  private onNodeKey(nodeId: string): string {
    return `${this.prefix}node-members:${nodeId}`;
  }
}
