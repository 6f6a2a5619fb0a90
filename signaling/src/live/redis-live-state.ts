import type { Redis } from 'ioredis';
import type { LiveState } from './live-state.js';

/** Class facts in Redis, so every node sees the same "this class is live". */
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
    else await this.redis.del(this.prefix + classId);
  }
}
