import type { Redis } from 'ioredis';
import { peerInfoSchema, type PeerInfo } from '@educloud/protocol';
import type { LiveState } from './live-state.js';

/** Class facts in Redis, so every node sees the same "this class is live" and members. */
export class RedisLiveState implements LiveState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'educloud:live:',
  ) {}

  async isLive(classId: string): Promise<boolean> {
    return (await this.redis.exists(this.prefix + classId)) === 1;
  }

  async setLive(classId: string, live: boolean): Promise<void> {
    if (live) await this.redis.set(this.prefix + classId, new Date().toISOString());
    else await this.redis.del(this.prefix + classId, this.membersKey(classId));
  }

  async saveMember(classId: string, member: PeerInfo): Promise<void> {
    await this.redis.hset(this.membersKey(classId), member.peerId, JSON.stringify(member));
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
    await this.redis.hdel(this.membersKey(classId), peerId);
  }

  private membersKey(classId: string): string {
    return `${this.prefix}members:${classId}`;
  }
}
