import { createContext } from 'react';

export interface BroadcastStatusEvent {
  live: boolean;
  recordingId: string | null;
}

/**
 * Carries the live room's `broadcast:status` socket events to the page's broadcast widgets, so
 * that they refresh when the server says the broadcast changed instead of asking it every few
 * seconds. One per class page; a joined live session attaches to it while its socket is in the
 * room, and the widgets fall back to polling while nothing is attached (the watch page, or
 * before anyone joins the live room).
 */
export class BroadcastFeed {
  private readonly listeners = new Set<(e: BroadcastStatusEvent) => void>();
  private readonly attachListeners = new Set<() => void>();
  private sources = 0;

  get attached(): boolean {
    return this.sources > 0;
  }

  /** A live session joined the room; call the returned function when it leaves. */
  attach(): () => void {
    this.sources += 1;
    this.notifyAttached();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.sources -= 1;
      this.notifyAttached();
    };
  }

  push(e: BroadcastStatusEvent): void {
    for (const l of this.listeners) l(e);
  }

  subscribe(listener: (e: BroadcastStatusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeAttached = (listener: () => void): (() => void) => {
    this.attachListeners.add(listener);
    return () => this.attachListeners.delete(listener);
  };

  private notifyAttached(): void {
    for (const l of this.attachListeners) l();
  }
}

/** The class page's feed; null where no live room can exist (the watch page). */
export const BroadcastFeedContext = createContext<BroadcastFeed | null>(null);
