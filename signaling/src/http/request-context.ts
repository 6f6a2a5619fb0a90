import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import { redactUrl } from './redact-url.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when sane), a child logger carrying it,
 * and one access-log line and metric sample when it ends.
 */
export function requestContext(
  logger: Logger,
  metrics: { requests: Counter<string>; duration: Histogram<string> },
): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const reqId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', reqId);
    ctx.state.log = logger.child({ reqId });
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The route template, not the raw path, keeps label cardinality bounded.
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const labels = { method: ctx.method, route, status: String(ctx.status) };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, seconds);
      ctx.state.log.info(
        {
          method: ctx.method,
          url: redactUrl(ctx.url),
          status: ctx.status,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
    }
  };
}
