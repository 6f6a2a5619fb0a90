import type { QualityReport } from './quality-poller.js';

/**
 * Connection quality (0-10, null until measured) of what this browser sends and of each remote
 * peer, apart from the room's snapshot: a poll every two seconds changes it whenever a camera
 * starts or stops flowing (every speaker switch), and only the tiles showing it need render.
 */
export class QualityStore {
  private readonly peers = new Map<string, number | null>();
  private sent: number | null = null;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  peer(peerId: string): number | null {
    return this.peers.get(peerId) ?? null;
  }

  send(): number | null {
    return this.sent;
  }

  /** A poll's report; tells the listeners only when a score changed. */
  apply(report: QualityReport): void {
    let changed = false;
    if (report.send !== undefined && report.send !== this.sent) {
      this.sent = report.send;
      changed = true;
    }
    for (const [peerId, q] of report.peers) {
      if (this.peer(peerId) === q) continue;
      this.peers.set(peerId, q);
      changed = true;
    }
    if (changed) this.tell();
  }

  /** Media set up anew: nothing measured yet. */
  reset(): void {
    if (this.peers.size === 0 && this.sent === null) return;
    this.peers.clear();
    this.sent = null;
    this.tell();
  }

  private tell(): void {
    for (const l of this.listeners) l();
  }
}
