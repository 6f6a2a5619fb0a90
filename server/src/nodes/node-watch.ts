import type { Logger } from 'pino';
import type { NodeRegistry } from './node-registry.js';

/**
 * Notices nodes that stop beating: every `everyMs` it lists the live nodes and tells its
 * listeners of each one seen alive before and gone now (killed, or cut off from Redis). Each
 * node watches on its own; what listeners do must be safe to do on several nodes at once.
 */
export class NodeWatch {
  private readonly listeners = new Set<(nodeId: string) => void>();
  private seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private looking = false;

  constructor(
    private readonly registry: NodeRegistry,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  onGone(listener: (nodeId: string) => void): void {
    this.listeners.add(listener);
  }

  start(): void {
    this.timer = setInterval(() => void this.look(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const now = new Set((await this.registry.liveNodes()).map((n) => n.nodeId));
      for (const nodeId of this.seen) {
        if (now.has(nodeId) || nodeId === this.registry.nodeId) continue;
        this.logger.warn({ node: nodeId }, 'node gone');
        for (const listener of this.listeners) listener(nodeId);
      }
      this.seen = now;
    } catch (err) {
      this.logger.warn({ err }, 'could not list the nodes');
    } finally {
      this.looking = false;
    }
  }
}
