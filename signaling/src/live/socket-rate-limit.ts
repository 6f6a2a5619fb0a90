import type { Socket } from 'socket.io';

export interface SocketRateLimitOptions {
  /** Events per second a socket may send on average. */
  perSecond: number;
  /** Events a socket may send at once (a client joining a big class sends many). */
  burst: number;
  /** Refused events within `refusalWindowMs` after which the socket is disconnected. */
  maxRefused: number;
  refusalWindowMs?: number;
  onRefused?: () => void;
  onDropped?: () => void;
}

/**
 * A token bucket per socket, in front of every event handler: an event over the rate gets a
 * `rate_limited` ack and is not handled; a socket that keeps flooding is disconnected. Other
 * sockets are not affected.
 */
export function limitSocketRate(socket: Socket, opts: SocketRateLimitOptions): void {
  let tokens = opts.burst;
  let last = performance.now();
  const windowMs = opts.refusalWindowMs ?? 10_000;
  let refused = 0;
  let windowStart = last;
  socket.use((packet, next) => {
    const now = performance.now();
    tokens = Math.min(opts.burst, tokens + ((now - last) / 1000) * opts.perSecond);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return next();
    }
    // A client slightly over the rate is slowed down; one that keeps flooding is dropped.
    if (now - windowStart > windowMs) {
      windowStart = now;
      refused = 0;
    }
    refused += 1;
    opts.onRefused?.();
    const ack = packet.at(-1);
    if (typeof ack === 'function') {
      ack({ ok: false, error: { code: 'rate_limited', message: 'Too many events; slow down' } });
    }
    if (refused >= opts.maxRefused && socket.connected) {
      opts.onDropped?.();
      socket.disconnect(true);
    }
  });
}
