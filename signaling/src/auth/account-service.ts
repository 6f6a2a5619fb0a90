import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type {
  SessionRevocationReason,
  SessionResponse,
  SignupRequest,
  User,
  UserRole,
} from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';
import { HttpError } from '../http/http-error.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import type { TokenService } from './token-service.js';

type UserRow = Selectable<SignalingTables['users']>;

/** Why an account's sessions were ended; live connections are told and closed. */
export type RevocationReason = Exclude<
  SessionRevocationReason,
  'removed_from_class' | 'class_deleted'
>;

/** Told when every session of an account has been ended, to close what is still open. */
export type OnSessionsRevoked = (userId: string, reason: RevocationReason) => void;

export function toUser(
  row: Pick<UserRow, 'id' | 'email' | 'display_name' | 'role' | 'created_at'>,
): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    createdAt: row.created_at,
  };
}

/** Sign-up, log-in, refresh-token rotation, log-out and ending sessions. */
export class AccountService {
  private readonly revokedListeners: OnSessionsRevoked[] = [];

  constructor(
    private readonly db: Kysely<SignalingTables>,
    private readonly tokens: TokenService,
    private readonly refreshTtlSeconds: number,
    readonly allowTeacherSignup: boolean,
  ) {}

  /** Registers a listener told after an account's sessions were revoked. */
  onSessionsRevoked(listener: OnSessionsRevoked): void {
    this.revokedListeners.push(listener);
  }

  /** The session version access tokens are checked against (TokenService). */
  async sessionVersion(userId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select('session_version')
      .where('id', '=', userId)
      .executeTakeFirst();
    return row?.session_version;
  }

  /** No account exists yet: the next sign-up bootstraps the server as its admin. */
  async isFresh(): Promise<boolean> {
    const any = await this.db
      .selectFrom('users')
      .select('id')
      .where('role', '!=', 'guest')
      .limit(1)
      .executeTakeFirst();
    return !any;
  }

  async signup(req: Required<SignupRequest>): Promise<SessionResponse> {
    const passwordHash = await hashPassword(req.password);
    const row = await this.db.transaction().execute(async (tx) => {
      const taken = await tx
        .selectFrom('users')
        .select('id')
        .where('email', '=', req.email)
        .executeTakeFirst();
      if (taken) throw new HttpError('conflict', 'An account with this email already exists');
      // The first account of an empty server administers it.
      const anyUser = await tx
        .selectFrom('users')
        .select('id')
        .where('role', '!=', 'guest')
        .limit(1)
        .executeTakeFirst();
      if (anyUser && req.role === 'teacher' && !this.allowTeacherSignup) {
        throw new HttpError('forbidden', 'Teacher accounts are granted by an administrator here');
      }
      const user: Insertable<SignalingTables['users']> = {
        id: randomUUID(),
        email: req.email,
        password_hash: passwordHash,
        display_name: req.displayName,
        role: anyUser ? req.role : 'admin',
        created_at: new Date().toISOString(),
      };
      await tx.insertInto('users').values(user).execute();
      return tx.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    });
    return this.openSession(row);
  }

  async login(email: string, password: string): Promise<SessionResponse> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    if (!row?.password_hash) {
      await burnPasswordCheck(password);
      throw new HttpError('unauthorized', 'Wrong email or password');
    }
    if (!(await verifyPassword(row.password_hash, password))) {
      throw new HttpError('unauthorized', 'Wrong email or password');
    }
    return this.openSession(row);
  }

  /**
   * Rotates the refresh token: the presented one is revoked and a new pair issued in the same
   * family. A token that was already rotated away is a replay (one of the two holders stole
   * it): the whole family is revoked and the account's access tokens end.
   */
  async refresh(refreshToken: string): Promise<SessionResponse> {
    const now = new Date().toISOString();
    const outcome = await this.db.transaction().execute(async (tx) => {
      const token = await tx
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', hashOpaqueToken(refreshToken))
        .executeTakeFirst();
      if (!token || token.expires_at <= now) return { kind: 'ended' as const };
      const family = token.family_id ?? token.id;
      if (token.revoked_at !== null) {
        const live = await tx
          .updateTable('refresh_tokens')
          .set({ revoked_at: now })
          .where((eb) => eb.or([eb('family_id', '=', family), eb('id', '=', family)]))
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        // A replay of a logged-out family's last token changes nothing; only a family
        // that still had a live token was being used by someone else.
        if (live.numUpdatedRows === 0n) return { kind: 'ended' as const };
        await this.bumpVersion(tx, token.user_id);
        return { kind: 'reused' as const, userId: token.user_id };
      }
      const rotated = await tx
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('id', '=', token.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (rotated.numUpdatedRows === 0n) return { kind: 'ended' as const };
      const user = await tx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', token.user_id)
        .executeTakeFirstOrThrow();
      return { kind: 'rotated' as const, user, family };
    });
    if (outcome.kind === 'reused') {
      this.revoked(outcome.userId, 'token_reused');
      throw new HttpError(
        'unauthorized',
        'This session was ended because its refresh token was used twice; log in again',
      );
    }
    if (outcome.kind === 'ended') {
      throw new HttpError('unauthorized', 'The session has ended; log in again');
    }
    return this.openSession(outcome.user, outcome.family);
  }

  /** Ends every session of the account: refresh tokens, access tokens, live connections. */
  async logoutEverywhere(userId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.revokeAllRefreshTokens(tx, userId);
      await this.bumpVersion(tx, userId);
    });
    this.revoked(userId, 'logged_out_everywhere');
  }

  /** Checks the current password, sets the new one and ends every other session. */
  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<SessionResponse> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row?.password_hash) throw new HttpError('forbidden', 'This account has no password');
    if (!(await verifyPassword(row.password_hash, currentPassword))) {
      throw new HttpError('forbidden', 'The current password is not right', [
        { path: 'currentPassword', message: 'is not right' },
      ]);
    }
    const passwordHash = await hashPassword(newPassword);
    const user = await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', userId)
        .execute();
      await this.revokeAllRefreshTokens(tx, userId);
      await this.bumpVersion(tx, userId);
      return tx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    });
    this.revoked(userId, 'password_changed');
    // The device that changed the password gets a new session, issued after the revocation.
    return this.openSession(user);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('token_hash', '=', hashOpaqueToken(refreshToken))
      .where('revoked_at', 'is', null)
      .execute();
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('role', '!=', 'guest')
      .orderBy('created_at')
      .execute();
    return rows.map(toUser);
  }

  /** A changed role ends the account's sessions: its tokens and sockets carry the old role. */
  async setRole(userId: string, role: UserRole): Promise<User> {
    const changed = await this.db.transaction().execute(async (tx) => {
      const before = await tx
        .selectFrom('users')
        .select('role')
        .where('id', '=', userId)
        .where('role', '!=', 'guest')
        .executeTakeFirst();
      if (!before) throw new HttpError('not_found', 'No such account');
      if (before.role === role) return false;
      await tx.updateTable('users').set({ role }).where('id', '=', userId).execute();
      await this.revokeAllRefreshTokens(tx, userId);
      await this.bumpVersion(tx, userId);
      return true;
    });
    if (changed) this.revoked(userId, 'role_changed');
    const user = await this.getUser(userId);
    if (!user) throw new HttpError('not_found', 'No such account');
    return user;
  }

  private async revokeAllRefreshTokens(tx: Kysely<SignalingTables>, userId: string) {
    await tx
      .updateTable('refresh_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  private async bumpVersion(tx: Kysely<SignalingTables>, userId: string) {
    await tx
      .updateTable('users')
      .set((eb) => ({ session_version: eb('session_version', '+', 1) }))
      .where('id', '=', userId)
      .execute();
  }

  private revoked(userId: string, reason: RevocationReason): void {
    for (const listener of this.revokedListeners) listener(userId, reason);
  }

  private async openSession(row: UserRow, familyId?: string): Promise<SessionResponse> {
    if (row.role === 'guest') throw new HttpError('forbidden', 'Guests have no account session');
    const access = await this.tokens.issueAccess({
      userId: row.id,
      role: row.role,
      name: row.display_name,
      version: row.session_version,
    });
    const refreshToken = newOpaqueToken();
    const now = new Date();
    const refreshExpires = new Date(now.getTime() + this.refreshTtlSeconds * 1000);
    const id = randomUUID();
    await this.db
      .insertInto('refresh_tokens')
      .values({
        id,
        family_id: familyId ?? id,
        user_id: row.id,
        token_hash: hashOpaqueToken(refreshToken),
        expires_at: refreshExpires.toISOString(),
        revoked_at: null,
        created_at: now.toISOString(),
      })
      .execute();
    return {
      user: toUser(row),
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      refreshToken,
      refreshTokenExpiresAt: refreshExpires.toISOString(),
    };
  }
}
