import type { Redis } from 'ioredis';
import type { NodeRegistry } from './node-registry.js';

// Takes the class for ARGV[1] when nobody holds it, or when its holder's heartbeat is gone.
const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Which node a class lives on: a key in Redis naming the owner, with a lease the owner renews.
 * A new class goes to the least loaded live node; a class whose owner died (lease expired, or
 * heartbeat gone) is taken by the next node that asks.
 */
export class ClassOwnership {
  constructor(
    private readonly redis: Redis,
    private readonly registry: NodeRegistry,
    private readonly prefix: string,
    private readonly leaseMs: number,
  ) {}

  /** The class's owner, placing it first when it has none (or a dead one). */
  async place(classId: string): Promise<string> {
    const current = await this.redis.get(this.key(classId));
    if (current && (await this.registry.isAlive(current))) return current;
    const nodes = await this.registry.liveNodes();
    const self = this.registry.nodeId;
    // Least loaded first; on a tie, the node asking (its participant is already here).
    nodes.sort((a, b) => a.load - b.load || Number(b.nodeId === self) - Number(a.nodeId === self));
    const candidate = nodes[0]?.nodeId ?? self;
    const owner = await this.redis.eval(
      CLAIM,
      1,
      this.key(classId),
      candidate,
      String(this.leaseMs),
      this.registry.key(''),
    );
    return String(owner);
  }

  async ownerOf(classId: string): Promise<string | null> {
    return this.redis.get(this.key(classId));
  }

  /** False when the class is no longer this node's (the lease ran out and another took it). */
  async renew(classId: string): Promise<boolean> {
    const r = await this.redis.eval(
      RENEW,
      1,
      this.key(classId),
      this.registry.nodeId,
      String(this.leaseMs),
    );
    return r === 1;
  }

  async release(classId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(classId), this.registry.nodeId);
  }

  private key(classId: string): string {
    return `${this.prefix}class-owner:${classId}`;
  }
}
