import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stands in for a grant when the teacher made the recording public. */
export const PUBLIC_GRANT = 'public';

export type GrantCheck = 'ok' | 'expired' | 'invalid';

const TOKEN_PATTERN = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/;

/**
 * Signed, expiring permissions to read one recording's files. The token sits in the URL path
 * (`/hls/<recordingId>/<token>/master.m3u8`), so the relative URLs inside playlists inherit it and
 * players (hls.js, <video>, a download link) need no Authorization header.
 */
export class HlsGrants {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    // A key of its own, so a grant can never be replayed as any other token signed with the secret.
    this.key = createHmac('sha256', secret).update('educloud:hls-grant:v1').digest();
  }

  sign(recordingId: string, ttlSeconds = this.ttlSeconds): { token: string; expiresAt: Date } {
    const exp = Math.floor(this.now() / 1000) + ttlSeconds;
    const expPart = exp.toString(36);
    return {
      token: `${expPart}.${this.mac(recordingId, expPart).toString('base64url')}`,
      expiresAt: new Date(exp * 1000),
    };
  }

  verify(recordingId: string, token: string): GrantCheck {
    const m = TOKEN_PATTERN.exec(token);
    if (!m) return 'invalid';
    const expPart = m[1]!;
    const given = Buffer.from(m[2]!, 'base64url');
    const expected = this.mac(recordingId, expPart);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number.parseInt(expPart, 36) * 1000 > this.now() ? 'ok' : 'expired';
  }

  private mac(recordingId: string, expPart: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`${recordingId}\n${expPart}`)
      .digest()
      .subarray(0, 16);
  }
}
