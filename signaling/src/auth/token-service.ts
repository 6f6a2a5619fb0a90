import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { userRoleSchema } from '@educloud/protocol';
import type { Principal } from './principal.js';

const ISSUER = 'educloud-live';
const accessClaims = z.object({
  sub: z.string(),
  typ: z.literal('access'),
  role: userRoleSchema,
  name: z.string(),
  /** The account's session version when issued; tokens from before a revocation are refused. */
  ver: z.number().int().nonnegative().default(0),
});
const guestClaims = z.object({
  sub: z.string(),
  typ: z.literal('guest'),
  cls: z.string(),
  name: z.string(),
});

export type TokenCheck =
  | { ok: true; principal: Principal; expiresAt: Date }
  | { ok: false; reason: 'expired' | 'revoked' | 'invalid' };

/** The current session version of an account; undefined when the account is gone. */
export type SessionVersionLookup = (userId: string) => Promise<number | undefined>;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** Signs and verifies the short-lived JWTs (HS256) for accounts and guests. */
export class TokenService {
  constructor(
    private readonly key: Uint8Array,
    private readonly accessTtlSeconds: number,
    private readonly guestTtlSeconds: number,
    /** Without it, account tokens are good until they expire (unit tests). */
    private readonly sessionVersion?: SessionVersionLookup,
  ) {}

  issueAccess(p: {
    userId: string;
    role: z.infer<typeof userRoleSchema>;
    name: string;
    version?: number;
  }) {
    return this.sign(
      { typ: 'access', role: p.role, name: p.name, ver: p.version ?? 0 },
      p.userId,
      this.accessTtlSeconds,
    );
  }

  issueGuest(p: { userId: string; classId: string; name: string }) {
    return this.sign(
      { typ: 'guest', cls: p.classId, name: p.name },
      p.userId,
      this.guestTtlSeconds,
    );
  }

  async verify(token: string): Promise<TokenCheck> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
      });
      const expiresAt = new Date((payload.exp ?? 0) * 1000);
      const access = accessClaims.safeParse(payload);
      if (access.success) {
        const c = access.data;
        if (this.sessionVersion) {
          const current = await this.sessionVersion(c.sub);
          if (current === undefined) return { ok: false, reason: 'invalid' };
          if (current !== c.ver) return { ok: false, reason: 'revoked' };
        }
        return {
          ok: true,
          principal: { kind: 'user', userId: c.sub, role: c.role, name: c.name },
          expiresAt,
        };
      }
      const guest = guestClaims.safeParse(payload);
      if (guest.success) {
        const c = guest.data;
        return {
          ok: true,
          principal: { kind: 'guest', userId: c.sub, classId: c.cls, name: c.name },
          expiresAt,
        };
      }
      return { ok: false, reason: 'invalid' };
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  private async sign(
    claims: Record<string, string | number>,
    subject: string,
    ttlSeconds: number,
  ): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + ttlSeconds;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }
}
