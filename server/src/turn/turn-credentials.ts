import { createHmac } from 'node:crypto';
import type { IceServer } from '@educloud/protocol';

export interface TurnOptions {
  /** turn:/turns: URLs of the TURN servers, e.g. turn:turn.example.org:3478?transport=udp */
  urls: string[];
  /** The secret shared with coturn (its static-auth-secret). */
  secret: string;
  ttlSeconds: number;
}

/**
 * Time-limited TURN credentials, the "TURN REST API" convention coturn checks with
 * `use-auth-secret`: the username is `<expiry unix time>:<user id>` and the password the
 * base64 HMAC-SHA1 of that username under the shared secret. Nothing is stored: coturn
 * recomputes the HMAC and refuses the name once its expiry has passed.
 */
export function turnCredentials(
  turn: TurnOptions,
  userId: string,
  now: number = Date.now(),
): IceServer {
  const expiry = Math.floor(now / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: turn.urls, username, credential };
}
