import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SessionResponse, SignupRequest, User, UserRole } from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';
import { HttpError } from '../http/http-error.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import type { TokenService } from './token-service.js';

type UserRow = SignalingTables['users'];

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    createdAt: row.created_at,
  };
}

/** Sign-up, log-in, refresh-token rotation and log-out. */
export class AccountService {
  constructor(
    private readonly db: Kysely<SignalingTables>,
    private readonly tokens: TokenService,
    private readonly refreshTtlSeconds: number,
    private readonly allowTeacherSignup: boolean,
  ) {}

  async signup(req: Required<SignupRequest>): Promise<SessionResponse> {
    if (req.role === 'teacher' && !this.allowTeacherSignup) {
      throw new HttpError('forbidden', 'Teacher accounts are created by an administrator here');
    }
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
      const user: UserRow = {
        id: randomUUID(),
        email: req.email,
        password_hash: passwordHash,
        display_name: req.displayName,
        role: anyUser ? req.role : 'admin',
        created_at: new Date().toISOString(),
      };
      await tx.insertInto('users').values(user).execute();
      return user;
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

  /** Rotates the refresh token: the presented one is revoked and a new pair issued. */
  async refresh(refreshToken: string): Promise<SessionResponse> {
    const now = new Date().toISOString();
    const row = await this.db.transaction().execute(async (tx) => {
      const token = await tx
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', hashOpaqueToken(refreshToken))
        .executeTakeFirst();
      if (!token || token.revoked_at !== null || token.expires_at <= now) {
        throw new HttpError('unauthorized', 'The session has ended; log in again');
      }
      await tx
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('id', '=', token.id)
        .execute();
      return tx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', token.user_id)
        .executeTakeFirstOrThrow();
    });
    return this.openSession(row);
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

  async setRole(userId: string, role: UserRole): Promise<User> {
    const result = await this.db
      .updateTable('users')
      .set({ role })
      .where('id', '=', userId)
      .where('role', '!=', 'guest')
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new HttpError('not_found', 'No such account');
    const user = await this.getUser(userId);
    if (!user) throw new HttpError('not_found', 'No such account');
    return user;
  }

  private async openSession(row: UserRow): Promise<SessionResponse> {
    if (row.role === 'guest') throw new HttpError('forbidden', 'Guests have no account session');
    const access = await this.tokens.issueAccess({
      userId: row.id,
      role: row.role,
      name: row.display_name,
    });
    const refreshToken = newOpaqueToken();
    const now = new Date();
    const refreshExpires = new Date(now.getTime() + this.refreshTtlSeconds * 1000);
    await this.db
      .insertInto('refresh_tokens')
      .values({
        id: randomUUID(),
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
