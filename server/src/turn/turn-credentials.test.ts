import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { turnCredentials } from './turn-credentials.js';

const turn = {
  urls: ['turn:127.0.0.1:3478?transport=udp'],
  secret: 's'.repeat(32),
  ttlSeconds: 600,
};

it('signs `<expiry>:<user>` with HMAC-SHA1 of the shared secret, in base64', () => {
  const c = turnCredentials(turn, 'user-1', 1_700_000_000_500);
  expect(c.urls).toEqual(turn.urls);
  expect(c.username).toBe('1700000600:user-1');
  // The value coturn computes from its static-auth-secret (an independent computation).
  const expected = createHmac('sha1', turn.secret).update('1700000600:user-1').digest('base64');
  expect(c.credential).toBe(expected);
  expect(Buffer.from(c.credential!, 'base64')).toHaveLength(20);
});

it('gives each user and each expiry its own password', () => {
  const a = turnCredentials(turn, 'user-1', 1_700_000_000_000);
  const b = turnCredentials(turn, 'user-2', 1_700_000_000_000);
  const later = turnCredentials(turn, 'user-1', 1_700_000_100_000);
  expect(new Set([a.credential, b.credential, later.credential]).size).toBe(3);
  expect(
    turnCredentials({ ...turn, secret: 't'.repeat(32) }, 'user-1', 1_700_000_000_000).credential,
  ).not.toBe(a.credential);
});
