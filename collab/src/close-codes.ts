/**
 * WebSocket close codes the collab server uses; reasons are fixed strings clients can match.
 * y-websocket (3.x) never reconnects after 4400-4499 and backs off and reconnects after anything
 * else, so 44xx is kept for what a retry cannot fix and 45xx for "try again later".
 */
export const Close = {
  shutdown: { code: 1001, reason: 'server shutting down' },
  tooLarge: { code: 1009, reason: 'update too large' },
  internal: { code: 1011, reason: 'internal error' },
  persistFailed: { code: 1011, reason: 'persistence failed' },
  loadFailed: { code: 1011, reason: 'document load failed' },
  malformed: { code: 4400, reason: 'malformed message' },
  unknownType: { code: 4400, reason: 'unknown message type' },
  invalidUpdate: { code: 4400, reason: 'invalid update' },
  docTooLarge: { code: 4413, reason: 'document too large' },
  /** The update builds on something we never got: reconnecting re-sends the client's state. */
  resync: { code: 4509, reason: 'missing dependency, resync' },
  slowConsumer: { code: 4508, reason: 'slow consumer' },
  rateLimit: { code: 4529, reason: 'rate limit' },
  /** The token the socket opened with expired: reconnecting with a fresh one works. */
  sessionExpired: { code: 4501, reason: 'session expired' },
  /** The user's sessions or class membership ended: a retry with the same user cannot help. */
  sessionRevoked: { code: 4403, reason: 'session revoked' },
} as const;

export type CloseReason = (typeof Close)[keyof typeof Close];
