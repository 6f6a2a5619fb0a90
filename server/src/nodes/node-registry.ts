import type { Redis } from 'ioredis';

export interface NodeLoad {
  nodeId: string;
  /** Transports, producers and consumers on this node's workers: what costs it CPU. */
  load: number;
}

/**
 * Which nodes are alive and how loaded they are: each node writes a key that expires unless
 * renewed (its heartbeat); a node whose key is gone is dead (killed, or cut off from Redis).
 */
export class NodeRegistry {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly nodeId: string,
    private readonly ttlMs: number,
  ) {}

  /** Beats now, then every third of the TTL, with the load `load()` reports then. */
  async start(load: () => number): Promise<void> {
    const beat = () =>
      this.redis
        .multi()
        .set(this.key(this.nodeId), String(load()), 'PX', this.ttlMs)
        .sadd(this.setKey(), this.nodeId)
        .exec();
    await beat();
    this.timer = setInterval(() => void beat().catch(() => undefined), this.ttlMs / 3);
    this.timer.unref();
  }

  async isAlive(nodeId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(nodeId))) === 1;
  }

  /** Every live node with its load; dead ones are forgotten on the way. */
  async liveNodes(): Promise<NodeLoad[]> {
    const ids = await this.redis.smembers(this.setKey());
    if (ids.length === 0) return [];
    const loads = await this.redis.mget(...ids.map((id) => this.key(id)));
    const alive: NodeLoad[] = [];
    const dead: string[] = [];
    ids.forEach((nodeId, i) => {
      const raw = loads[i];
      if (raw === null || raw === undefined) dead.push(nodeId);
      else alive.push({ nodeId, load: Number(raw) || 0 });
    });
    if (dead.length > 0) await this.redis.srem(this.setKey(), ...dead);
    return alive;
  }

  /** Stops beating and says so at once (a clean shutdown need not wait for the TTL). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.key(this.nodeId)).catch(() => undefined);
  }

  key(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  private setKey(): string {
    return `${this.prefix}nodes`;
  }
}
