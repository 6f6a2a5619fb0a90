import type { Context } from 'koa';
import type { Principal } from '../auth/principal.js';
import type { TokenService } from '../auth/token-service.js';
import { HttpError } from './http-error.js';

/** Reads `Authorization: Bearer <token>`; an expired token is told apart so clients refresh. */
export async function authenticate(ctx: Context, tokens: TokenService): Promise<Principal> {
  const header = ctx.get('authorization');
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  if (!match?.[1]) throw new HttpError('unauthorized', 'Log in first (missing bearer token)');
  const check = await tokens.verify(match[1]);
  if (!check.ok) {
    // A revoked token is "expired" to the client: it refreshes, which works unless the
    // refresh tokens were revoked too (log out everywhere, password change).
    if (check.reason === 'expired') {
      throw new HttpError('token_expired', 'The access token has expired; refresh it');
    }
    if (check.reason === 'revoked') {
      throw new HttpError('token_expired', 'The session was renewed or ended; refresh it');
    }
    throw new HttpError('unauthorized', 'The access token is not valid');
  }
  return check.principal;
}
