/**
 * Log-in limits count the real client: behind trusted proxies, the address they saw (not what
 * the client wrote into X-Forwarded-For); refresh has its own budget; with Redis, every node
 * counts in the same bucket.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../test-support/redis-server.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function server(env: Record<string, string>): Promise<TestServer> {
  const s = await startTestServer({ AUTH_RATE_LIMIT_PER_MINUTE: '3', ...env });
  cleanups.push(() => s.stop());
  return s;
}

const badLogin = (s: TestServer, forwardedFor?: string) =>
  s
    .call('POST', '/api/auth/login', {
      body: { email: 'nobody@x.test', password: 'wrong password' },
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    })
    .then((r) => r.status);

describe('auth rate limits', () => {
  it('ignores the X-Forwarded-For entries a client writes itself', async () => {
    const s = await server({ TRUST_PROXY: 'true' });
    const statuses: number[] = [];
    // The proxy appends the address it saw (203.0.113.5); the attacker varies the rest.
    for (let i = 0; i < 5; i++) statuses.push(await badLogin(s, `10.66.0.${i}, 203.0.113.5`));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another client behind the same proxy has its own bucket.
    expect(await badLogin(s, '198.51.100.7')).toBe(401);
  });

  it('counts the address before the configured number of proxies', async () => {
    const s = await server({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(await badLogin(s, `10.66.0.${i}, 198.51.100.9, 10.0.0.2`));
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(await badLogin(s, '10.66.0.1, 198.51.100.10, 10.0.0.2')).toBe(401);
  });

  it('keeps refresh apart from log-in: locked-out log-ins do not end sessions', async () => {
    const s = await server({});
    const r = await s.call('POST', '/api/auth/signup', {
      body: { email: 'kept@x.test', password: 'long enough', displayName: 'K' },
    });
    expect(r.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await badLogin(s));
    expect(statuses).toEqual([401, 401, 401, 429]);
    const refreshed = await s.call('POST', '/api/auth/refresh', {
      body: { refreshToken: r.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
  });

  it('limits refresh with its own budget', async () => {
    const s = await server({ REFRESH_RATE_LIMIT_PER_MINUTE: '2' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await s.call('POST', '/api/auth/refresh', {
        body: { refreshToken: 'x'.repeat(43) },
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('shares the counters between nodes through Redis', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const a = await server({ REDIS_URL: redis.url });
    const b = await server({ REDIS_URL: redis.url });
    const statuses = [
      await badLogin(a),
      await badLogin(b),
      await badLogin(a),
      await badLogin(b),
      await badLogin(a),
    ];
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
