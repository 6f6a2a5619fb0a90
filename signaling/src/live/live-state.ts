/**
 * Class facts every node must agree on. In memory for one process; a Redis-backed
 * implementation lets several nodes share them.
 */
export interface LiveState {
  isLive(classId: string): Promise<boolean>;
  setLive(classId: string, live: boolean): Promise<void>;
}

export class InMemoryLiveState implements LiveState {
  private readonly live = new Set<string>();

  async isLive(classId: string) {
    return this.live.has(classId);
  }

  async setLive(classId: string, live: boolean) {
    if (live) this.live.add(classId);
    else this.live.delete(classId);
  }
}
