import { createHash, timingSafeEqual } from 'node:crypto';

/** Whether an Authorization header carries the metrics bearer token (compared in constant time). */
export function metricsAuthorized(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return false;
  // Hashing first gives equal lengths, so the comparison leaks nothing about the token's length.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}
