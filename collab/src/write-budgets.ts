import { TokenBucket } from './token-bucket.js';
import type { Limits } from './options.js';

interface Entry {
  bucket: TokenBucket;
  burst: number;
  users: number;
}

/**
 * Byte budgets per user and document on this node, shared by all of that user's sockets, so
 * opening more tabs does not multiply what one person may write. Entries live while the user
 * has a socket on the document: reconnecting does not refill the budget.
 */
export class UserWriteBudgets {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: Limits,
    private readonly now: () => number,
  ) {}

  acquire(docName: string, userId: string, privileged: boolean): UserBudget {
    const key = `${docName}\u0000${userId}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const factor = privileged ? this.limits.privilegedWriteFactor : 1;
      const burst = this.limits.userWriteBurstBytes * factor;
      entry = {
        bucket: new TokenBucket(this.limits.userWriteBytesPerSecond * factor, burst, this.now),
        burst,
        users: 0,
      };
      this.entries.set(key, entry);
    }
    entry.users++;
    const held = entry;
    let released = false;
    return {
      bucket: held.bucket,
      release: () => {
        if (released) return;
        released = true;
        // Dropped only once refilled: a flooder who reconnects must not start from a full one.
        held.users--;
        if (held.users === 0) {
          const wait = held.bucket.waitMs(held.burst);
          if (wait === 0) this.entries.delete(key);
          else {
            const t = setTimeout(() => {
              if (held.users === 0 && this.entries.get(key) === held) this.entries.delete(key);
            }, wait);
            t.unref();
          }
        }
      },
    };
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface UserBudget {
  bucket: TokenBucket;
  release(): void;
}
