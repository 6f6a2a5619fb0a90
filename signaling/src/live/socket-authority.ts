import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { SessionRevocationReason } from '@educloud/protocol';
import type { Principal } from '../auth/principal.js';
import type { TokenService } from '../auth/token-service.js';
import { AckError } from './ack-error.js';

/** What the authority needs of a socket's session (the gateway keeps more). */
export interface AuthorizedSession {
  principal: Principal;
  expiresAt: Date;
  classId?: string;
}

/** Cross-node message: end the matching sockets on every node (Socket.IO server-side emit). */
const REVOKE = 'educloud:session-revoke';
interface Revocation {
  userId?: string;
  classId?: string;
  reason: SessionRevocationReason;
}

// setTimeout holds at most ~24.8 days; longer tokens are re-armed when the timer fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

const userChannel = (userId: string) => `user:${userId}`;

/**
 * A socket is authorized by the token of its handshake only until that token expires or the
 * facts behind it change. This keeps each socket to its token's expiry (the client sends a
 * fresh one with `session:refresh`), and closes a user's sockets when their sessions are
 * revoked or they leave a class, on every node.
 */
export class SocketAuthority {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly io: Server,
    private readonly tokens: TokenService,
    private readonly logger: Logger,
    /** Other nodes share the Socket.IO adapter (Redis) and must hear of revocations. */
    private readonly multiNode: boolean,
  ) {
    io.on(REVOKE, (r: Revocation) => this.revokeLocal(r));
  }

  /** Starts watching a connected socket: its user channel and its token's expiry. */
  watch(socket: Socket, session: AuthorizedSession): void {
    void socket.join(userChannel(session.principal.userId));
    this.arm(socket, session);
    socket.on('disconnect', () => {
      clearTimeout(this.timers.get(socket.id));
      this.timers.delete(socket.id);
    });
  }

  /** `session:refresh`: the socket goes on under a new token of the same principal. */
  async refresh(
    socket: Socket,
    session: AuthorizedSession,
    token: string,
  ): Promise<{ expiresAt: string }> {
    const check = await this.tokens.verify(token);
    if (!check.ok) {
      throw new AckError(
        check.reason === 'invalid' ? 'unauthorized' : 'token_expired',
        'That token is not valid; log in again',
      );
    }
    const before = session.principal;
    const after = check.principal;
    const same =
      after.userId === before.userId &&
      after.kind === before.kind &&
      (after.kind !== 'guest' || before.kind !== 'guest' || after.classId === before.classId);
    if (!same) throw new AckError('forbidden', 'A socket cannot change who it belongs to');
    if (after.kind === 'user' && before.kind === 'user' && after.role !== before.role) {
      throw new AckError('forbidden', 'The account role changed; reconnect');
    }
    session.principal = after;
    session.expiresAt = check.expiresAt;
    this.arm(socket, session);
    return { expiresAt: check.expiresAt.toISOString() };
  }

  /** Ends every socket of an account, on every node. */
  revokeUser(userId: string, reason: SessionRevocationReason): void {
    this.revoke({ userId, reason });
  }

  /** Ends a user's sockets in one class (removed from it), on every node. */
  revokeMembership(classId: string, userId: string): void {
    this.revoke({ userId, classId, reason: 'removed_from_class' });
  }

  /** Ends every socket in a class that no longer exists, on every node. */
  revokeClass(classId: string): void {
    this.revoke({ classId, reason: 'class_deleted' });
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private revoke(r: Revocation): void {
    this.revokeLocal(r);
    if (this.multiNode) this.io.serverSideEmit(REVOKE, r);
  }

  private revokeLocal(r: Revocation): void {
    const nsp = this.io.of('/');
    const ids = r.userId
      ? nsp.adapter.rooms.get(userChannel(r.userId))
      : new Set(nsp.sockets.keys());
    for (const id of [...(ids ?? [])]) {
      const socket = nsp.sockets.get(id);
      const session = socket?.data.session as AuthorizedSession | undefined;
      if (!socket || !session) continue;
      if (r.classId && session.classId !== r.classId) continue;
      this.logger.info({ userId: session.principal.userId, reason: r.reason }, 'socket revoked');
      // The gateway takes a revoked peer out of its class at once (no reconnect grace).
      socket.data.revoked = r.reason;
      socket.emit('session:revoked', { reason: r.reason });
      socket.disconnect(true);
    }
  }

  private arm(socket: Socket, session: AuthorizedSession): void {
    clearTimeout(this.timers.get(socket.id));
    const ms = session.expiresAt.getTime() - Date.now();
    const timer = setTimeout(
      () => {
        if (session.expiresAt.getTime() > Date.now()) return this.arm(socket, session);
        this.timers.delete(socket.id);
        socket.emit('session:expired');
        socket.disconnect(true);
      },
      Math.max(0, Math.min(ms, MAX_TIMER_MS)),
    );
    timer.unref();
    this.timers.set(socket.id, timer);
  }
}
