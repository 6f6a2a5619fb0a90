import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const RETRY_AFTER_SECONDS = 2;
const body = JSON.stringify({
  error: { code: 'unavailable', message: 'The server is starting; try again in a moment' },
});

/**
 * The port listens before every part is attached (the public URL needs the port), so until
 * `open()` each request is answered 503 with Retry-After instead of waiting on no handler.
 */
export class StartupGate {
  private opened = false;

  constructor(private readonly server: Server) {
    server.on('request', this.onRequest);
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /**
   * Hands requests to the listeners attached after this call. Call it right before the part
   * that attaches the request handler: engine.io wraps the request listeners present when it
   * attaches, after which this one could no longer be removed.
   */
  open(): void {
    this.opened = true;
    this.server.off('request', this.onRequest);
  }

  private readonly onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': String(RETRY_AFTER_SECONDS),
      connection: 'close',
    });
    res.end(body);
  };
}

/** Answers a raw upgrade socket with a bare HTTP status and closes it. */
export function refuseUpgrade(socket: Duplex, status: 404 | 503, reason: string): void {
  if (socket.destroyed) return;
  const text = JSON.stringify({
    error: { code: status === 404 ? 'not_found' : 'unavailable', message: reason },
  });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Service Unavailable'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      (status === 503 ? `Retry-After: ${RETRY_AFTER_SECONDS}\r\n` : '') +
      'Connection: close\r\n\r\n' +
      text,
  );
  // A client that never reads must not keep the socket: end() waits for the peer.
  setTimeout(() => socket.destroy(), 1000).unref();
}
