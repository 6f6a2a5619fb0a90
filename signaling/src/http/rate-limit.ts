import ratelimit from 'koa-ratelimit';
import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';

/**
 * Per-address limit for the routes that guess passwords or mint accounts. The address is
 * Koa's `ctx.ip`: behind trusted proxies, the right-most X-Forwarded-For entry they did not
 * add themselves (the app's maxIpsCount), so a client cannot pick its own bucket.
 *
 * With Redis every node counts in the same bucket; otherwise each limiter owns its counters
 * (no module-level state), so two apps in one process do not share budgets.
 */
export function perAddressLimit(
  name: string,
  max: number,
  windowMs: number,
  redis?: Redis,
): Middleware {
  const store = redis
    ? { driver: 'redis' as const, db: redis, namespace: 'educloud:ratelimit' }
    : { driver: 'memory' as const, db: new Map() };
  return ratelimit({
    ...store,
    duration: windowMs,
    max,
    id: (ctx) => `${name}:${ctx.ip}`,
    throw: true,
    errorMessage: `Too many ${name} attempts from this address; try again later`,
  });
}
