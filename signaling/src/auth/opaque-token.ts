import { createHash, randomBytes } from 'node:crypto';

/** A random bearer secret for URLs and refresh tokens (base64url, 256 bits unless told). */
export function newOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Refresh tokens are stored hashed: a database leak must not hand out live sessions. */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
