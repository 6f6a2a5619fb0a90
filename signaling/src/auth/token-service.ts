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
});
const guestClaims = z.object({
  sub: z.string(),
  typ: z.literal('guest'),
  cls: z.string(),
  name: z.string(),
});

export type TokenCheck =
  { ok: true; principal: Principal } | { ok: false; reason: 'expired' | 'invalid' };

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
  ) {}

  issueAccess(p: { userId: string; role: z.infer<typeof userRoleSchema>; name: string }) {
    return this.sign(
      { typ: 'access', role: p.role, name: p.name },
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
      const access = accessClaims.safeParse(payload);
      if (access.success) {
        const c = access.data;
        return { ok: true, principal: { kind: 'user', userId: c.sub, role: c.role, name: c.name } };
      }
      const guest = guestClaims.safeParse(payload);
      if (guest.success) {
        const c = guest.data;
        return {
          ok: true,
          principal: { kind: 'guest', userId: c.sub, classId: c.cls, name: c.name },
        };
      }
      return { ok: false, reason: 'invalid' };
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  private async sign(
    claims: Record<string, string>,
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
