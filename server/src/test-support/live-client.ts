import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientEventName, ClientEventResults } from '@educloud/protocol';

/** A real Socket.IO client speaking the live-class protocol, for tests. */
export class LiveClient {
  readonly socket: Socket;
  readonly received: { event: string; payload: unknown }[] = [];

  constructor(port: number, token: string | undefined, opts: { reconnection?: boolean } = {}) {
    this.socket = io(`http://127.0.0.1:${port}`, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: opts.reconnection ?? false,
      forceNew: true,
    });
    this.socket.onAny((event: string, payload: unknown) => this.received.push({ event, payload }));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** Sends an event (any name, any payload: tests send garbage too) and waits for the ack. */
  request<E extends ClientEventName>(
    event: E,
    payload: unknown,
  ): Promise<Ack<ClientEventResults[E]>>;
  request(event: string, payload: unknown): Promise<Ack<unknown>>;
  request(event: string, payload: unknown): Promise<Ack<unknown>> {
    return this.socket.timeout(10_000).emitWithAck(event, payload);
  }

  async ok<E extends ClientEventName>(event: E, payload: unknown): Promise<ClientEventResults[E]> {
    const r = await this.request(event, payload);
    if (!r.ok) throw new Error(`${event} failed: ${r.error.code} ${r.error.message}`);
    return r.data;
  }

  /** Resolves with the next `event` matching `pred` (including one already received). */
  next<T = unknown>(
    event: string,
    pred: (p: T) => boolean = () => true,
    ms = 20_000,
    from = 0,
  ): Promise<T> {
    const seen = this.received.slice(from).find((r) => r.event === event && pred(r.payload as T));
    if (seen) return Promise.resolve(seen.payload as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.offAny(listener);
        reject(new Error(`no ${event} within ${ms} ms; ${this.describeReceived(from)}`));
      }, ms);
      const listener = (name: string, payload: T) => {
        if (name !== event || !pred(payload)) return;
        clearTimeout(timer);
        this.socket.offAny(listener);
        resolve(payload);
      };
      this.socket.onAny(listener);
    });
  }

  /** A position in what was received so far, for `nextAfter`. */
  mark(): number {
    return this.received.length;
  }

  /** As `next`, but only events received after `mark` (an earlier match does not count). */
  nextAfter<T = unknown>(
    mark: number,
    event: string,
    pred: (p: T) => boolean = () => true,
    ms = 20_000,
  ): Promise<T> {
    return this.next<T>(event, pred, ms, mark);
  }

  /**
   * What arrived from `from` on (and the socket's state), for a timeout's message: a wait that
   * fails in CI says whether the event came too early, under another name, or nothing came.
   */
  private describeReceived(from: number): string {
    const brief = (r: { event: string; payload: unknown }) =>
      `${r.event} ${JSON.stringify(r.payload ?? null).slice(0, 120)}`;
    const before = this.received.slice(Math.max(0, from - 5), from).map(brief);
    const since = this.received.slice(from).map(brief);
    return [
      `socket ${this.socket.connected ? 'connected' : 'disconnected'}`,
      `the 5 events before the wait: [${before.join(' | ')}]`,
      `${since.length} since: [${since.slice(-20).join(' | ')}]`,
    ].join('; ');
  }

  seen(event: string): unknown[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload);
  }

  close(): void {
    this.socket.disconnect();
  }
}
