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

const REQUEST_TIMEOUT_MS = 10_000;

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

  constructor(getToken: () => Promise<string | null>) {
    this.socket = io({
      transports: ['websocket'],
      autoConnect: false,
      // A fresh token on every (re)connection: access tokens are short-lived.
      auth: (cb) => {
        void getToken().then((token) => cb({ token }));
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      // A handshake a restarting server accepted but never answers is abandoned and retried
      // (Socket.IO's default waits 20 s), so a class is back soon after its server is.
      timeout: 5000,
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** False once Socket.IO has given up reconnecting (or was told to stop). */
  get active(): boolean {
    return this.socket.active;
  }

  connect(): void {
    this.socket.connect();
  }

  disconnect(): void {
    this.socket.disconnect();
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
