import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEventName,
  ClientEventPayload,
  ClientEventResults,
  ClientEvents,
  ServerEvents,
} from '@educloud/protocol';

/** The server refused a request: `code` is one of protocol's error codes. */
export class LiveAckError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type LiveSocket = Socket<ServerEvents, ClientEvents>;

/**
 * A guard against a server that never answers, not a deadline: a request the server does answer
 * late (a page or server starved of CPU) has done its work there, and giving up on it leaves the
 * server with a producer or consumer this client does not know (a microphone nobody hears). A
 * lost connection fails pending requests at once anyway (Socket.IO rejects their acks).
 */
const REQUEST_TIMEOUT_MS = 30_000;
/** Access tokens live 15 minutes by default; checking this often renews them well before. */
const TOKEN_RENEW_CHECK_MS = 20_000;

/**
 * What Socket.IO's emitWithAck resolves to for each event of protocol's ClientEvents: its own
 * typing goes through conditional types that TypeScript cannot resolve for a generic event.
 */
type TypedEmitWithAck = <E extends ClientEventName>(
  event: E,
  payload: ClientEventPayload<E>,
) => Promise<Ack<ClientEventResults[E]>>;

/**
 * The live-class Socket.IO connection, typed by protocol's event maps: `request()` takes the
 * event's payload and resolves with its ack data (or rejects with a LiveAckError), `on()` hands
 * server events their payload type. Socket.IO reconnects by itself; the session decides what a
 * (re)connection means.
 */
export class SignalingClient {
  readonly socket: LiveSocket;
  /** The token the server holds for this socket; it closes the socket when that expires. */
  private socketToken: string | null = null;
  private renewTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly getToken: () => Promise<string | null>) {
    this.socket = io({
      transports: ['websocket'],
      autoConnect: false,
      // A fresh token on every (re)connection: access tokens are short-lived.
      auth: (cb) => {
        void getToken().then((token) => {
          this.socketToken = token;
          cb({ token });
        });
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      // A handshake a restarting server accepted but never answers is abandoned and retried
      // (Socket.IO's default waits 20 s), so a class is back soon after its server is.
      timeout: 5000,
    });
    // The server closes a socket whose token ran out; the next connection carries a fresh one.
    this.on('session:expired', () => this.socket.once('disconnect', () => this.socket.connect()));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** False once Socket.IO has given up reconnecting (or was told to stop). */
  get active(): boolean {
    return this.socket.active;
  }

  connect(): void {
    this.renewTimer ??= setInterval(() => void this.renewToken(), TOKEN_RENEW_CHECK_MS);
    // A socket already connecting (the device check's): Socket.IO's connect() mid-handshake
    // sends the server a second CONNECT, and every 'connect' after it would join again.
    if (!this.socket.active) this.socket.connect();
  }

  disconnect(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    this.socket.disconnect();
  }

  /** Hands the server each renewed access token before the one it holds expires. */
  private async renewToken(): Promise<void> {
    const token = await this.getToken();
    if (!token || token === this.socketToken || !this.socket.connected) return;
    try {
      await this.request('session:refresh', { token });
      this.socketToken = token;
    } catch {
      // Expiry then closes the socket and the reconnection carries the fresh token.
    }
  }

  on<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): void {
    // Socket.IO's listener typing resolves reserved and user events through one conditional
    // type that TypeScript cannot narrow for a generic E.
    (this.socket.on as (e: string, l: (...args: never[]) => void) => void)(event, listener);
  }

  async request<E extends ClientEventName>(
    event: E,
    payload: ClientEventPayload<E>,
  ): Promise<ClientEventResults[E]> {
    const timed = this.socket.timeout(REQUEST_TIMEOUT_MS);
    const emit = timed.emitWithAck as unknown as TypedEmitWithAck;
    const result = await emit.call(timed, event, payload);
    if (!result.ok) throw new LiveAckError(result.error.code, result.error.message);
    return result.data as ClientEventResults[E];
  }
}
