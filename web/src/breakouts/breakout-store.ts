import type { BreakoutOpen, BreakoutState } from '@educloud/protocol';
import type { SignalingClient } from '../live/signaling-client.js';

export interface BreakoutMessage {
  text: string;
  from: string;
  sentAt: string;
}

export interface BreakoutSnapshot {
  /** null while no breakouts run. */
  state: BreakoutState | null;
  /** Seconds left at the latest warning, until the breakouts close. */
  warning: number | null;
  messages: BreakoutMessage[];
  /**
   * The room this browser's media is in, as the server last moved it (null: the main room).
   * A student's is also in the placement; a visiting teacher's only here.
   */
  inRoom: string | null;
}

/**
 * The class's breakout rooms as this browser knows them (kept current by the server's
 * breakout events), and the teacher's and choosing students' actions on them.
 */
export class BreakoutStore {
  private readonly listeners = new Set<() => void>();
  private state: BreakoutSnapshot = { state: null, warning: null, messages: [], inRoom: null };

  constructor(private readonly signaling: SignalingClient) {}

  snapshot = (): BreakoutSnapshot => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Registers the server's breakout events; called once, before the socket connects. */
  listen(): void {
    const s = this.signaling;
    s.on('breakout:state', (state) =>
      this.set(state ? { state } : { state: null, warning: null, messages: [], inRoom: null }),
    );
    s.on('breakout:moved', ({ roomId }) => this.set({ inRoom: roomId }));
    s.on('breakout:warning', ({ secondsLeft }) => this.set({ warning: secondsLeft }));
    s.on('breakout:message', (m) => this.set({ messages: [...this.state.messages, m] }));
  }

  async open(request: BreakoutOpen): Promise<void> {
    this.set({ state: await this.signaling.request('breakout:open', request) });
  }

  async move(userId: string, roomId: string | null): Promise<void> {
    await this.signaling.request('breakout:move', { userId, roomId });
  }

  async extend(seconds: number): Promise<void> {
    await this.signaling.request('breakout:extend', { seconds });
  }

  /** Closes every room now, or when a countdown of `afterSeconds` ends. */
  async closeAll(afterSeconds?: number): Promise<void> {
    await this.signaling.request('breakout:closeAll', afterSeconds ? { afterSeconds } : {});
  }

  async speakToAll(on: boolean): Promise<void> {
    await this.signaling.request(on ? 'breakout:speakToAll:start' : 'breakout:speakToAll:stop', {});
  }

  async messageAll(text: string): Promise<void> {
    await this.signaling.request('breakout:messageAll', { text });
  }

  private set(patch: Partial<BreakoutSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
