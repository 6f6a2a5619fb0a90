import { emptyStage, type StageContent, type StageState, type StageView } from '@educloud/protocol';
import type { LiveSession } from './live-session.js';

/**
 * The class's stage as this browser knows it: fetched on every (re)join, kept current by
 * `stage:updated`. Versions only grow, so an answer that arrives after a newer event is ignored.
 */
export class StageClient {
  private state: StageState = emptyStage;
  private readonly listeners = new Set<() => void>();
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly session: LiveSession) {}

  snapshot = (): StageState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    const onUpdate = (s: StageState) => this.accept(s);
    this.session.socket.on('stage:updated', onUpdate);
    this.cleanups.push(() => this.session.socket.off('stage:updated', onUpdate));
    let wasJoined = false;
    const onSession = () => {
      const joined = this.session.snapshot().status === 'joined';
      if (joined && !wasJoined) void this.refresh();
      wasJoined = joined;
    };
    onSession();
    this.cleanups.push(this.session.subscribe(onSession));
  }

  stop(): void {
    for (const c of this.cleanups.splice(0)) c();
  }

  async present(content: StageContent | null): Promise<void> {
    this.accept(await this.session.signaling.request('stage:present', { content }));
  }

  async allowPresenter(userId: string | null): Promise<void> {
    this.accept(await this.session.signaling.request('stage:allowPresenter', { userId }));
  }

  async sendView(view: StageView): Promise<void> {
    await this.session.signaling.request('stage:view', view);
  }

  private async refresh(): Promise<void> {
    try {
      const s = await this.session.signaling.request('stage:get', {});
      this.accept(s);
    } catch {
      // Not joined any more; the next join asks again.
    }
  }

  private accept(s: StageState): void {
    if (s.version < this.state.version) return;
    this.state = s;
    for (const l of this.listeners) l();
  }
}
