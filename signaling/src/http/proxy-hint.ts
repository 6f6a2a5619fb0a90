import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/**
 * Behind a proxy without TRUST_PROXY every client has the proxy's address, so one rate-limit
 * bucket serves everyone: twenty bad log-ins lock the whole school out. Says so once.
 */
export function proxyHint(logger: Logger): Middleware {
  let told = false;
  return async (ctx, next) => {
    if (!told && ctx.get('x-forwarded-for')) {
      told = true;
      logger.warn(
        'requests carry X-Forwarded-For but TRUST_PROXY is off: every client behind the proxy ' +
          'shares its address and its log-in rate limit; set TRUST_PROXY=true (and TRUST_PROXY_HOPS)',
      );
    }
    await next();
  };
}
