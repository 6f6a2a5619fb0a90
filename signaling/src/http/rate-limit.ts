import ratelimit from 'koa-ratelimit';
import type { Middleware } from 'koa';

/**
 * Per-address limit for the routes that guess passwords or mint accounts. Each limiter owns
 * its counters (no module-level state), so two apps in one process do not share budgets.
 */
export function perAddressLimit(name: string, max: number, windowMs: number): Middleware {
  return ratelimit({
    driver: 'memory',
    db: new Map(),
    duration: windowMs,
    max,
    id: (ctx) => `${name}:${ctx.ip}`,
    throw: true,
    errorMessage: `Too many ${name} attempts from this address; try again later`,
  });
}
