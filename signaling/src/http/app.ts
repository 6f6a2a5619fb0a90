import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import helmet from 'koa-helmet';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { clientConfigSchema, type ClientConfig } from '@educloud/protocol';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AccountService } from '../auth/account-service.js';
import type { TokenService } from '../auth/token-service.js';
import type { ClassService } from '../classes/class-service.js';
import { authenticate } from './authenticate.js';
import { errorMiddleware } from './error-middleware.js';
import { HttpError } from './http-error.js';
import { metricsAuthorized } from './metrics-auth.js';
import { buildOpenApi } from './openapi.js';
import { proxyHint } from './proxy-hint.js';
import { perAddressLimit } from './rate-limit.js';
import { requestContext } from './request-context.js';
import { RouteTable } from './route-table.js';
import { addAuthRoutes } from './routes/auth-routes.js';
import type { ChatService } from '../live/chat-service.js';
import type { PollService } from '../live/polls.js';
import { addClassActivityRoutes } from './routes/class-activity-routes.js';
import { addBreakoutRoutes } from './routes/breakout-routes.js';
import type { BreakoutStore } from '../live/breakouts/breakout-store.js';
import { addClassRoutes } from './routes/class-routes.js';
import { addInviteRoutes } from './routes/invite-routes.js';
import { addUserRoutes } from './routes/user-routes.js';
import { staticFiles } from './static-files.js';

export interface HttpAppOptions {
  logger: Logger;
  registry: Registry;
  accounts: AccountService;
  classes: ClassService;
  chat: ChatService;
  polls: PollService;
  breakouts: BreakoutStore;
  tokens: TokenService;
  version: string;
  bodyLimitBytes: number;
  corsOrigins: string[];
  /** Sign-up, log-in and guest-join attempts per address per minute. */
  authRateLimitPerMinute: number;
  /** Refresh-token trades per address per minute (apart from log-in: a refresh is no guess). */
  refreshRateLimitPerMinute: number;
  /** Trust X-Forwarded-* (behind a reverse proxy). */
  trustProxy: boolean;
  /** How many proxies append to X-Forwarded-For; the client is the entry before theirs. */
  trustProxyHops: number;
  /** Rate-limit counters live here when set, shared by every node. */
  rateLimitRedis?: Redis;
  /** Built web client to serve at `/`, if any. */
  webRoot?: string;
  /** Middleware mounted before the SPA fallback (HLS files, recordings downloads …). */
  extraMiddleware?: Koa.Middleware[];
  extraRoutes?: (routes: RouteTable, services: { classes: ClassService }) => void;
  /** Computed per request: whether the server is fresh changes with the first sign-up. */
  clientConfig: () => Promise<ClientConfig>;
  /** Bearer token /metrics requires; without one /metrics is not served here. */
  metricsToken?: string;
}

export function createHttpApp(opts: HttpAppOptions): Koa {
  const app = new Koa({
    proxy: opts.trustProxy,
    // Only the entries our own proxies appended count: the left-most one is whatever the
    // client wrote, so trusting it would give an attacker a fresh rate-limit bucket per request.
    maxIpsCount: opts.trustProxy ? opts.trustProxyHops : 0,
  });
  // Koa's default handler would log every client error to stderr; ours are logged per request.
  app.silent = true;
  const requests = new Counter({
    name: 'educloud_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [opts.registry],
  });
  const duration = new Histogram({
    name: 'educloud_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [opts.registry],
  });

  const routes = new RouteTable();
  const minute = 60_000;
  const limit = (name: string, max = opts.authRateLimitPerMinute) =>
    perAddressLimit(name, max, minute, opts.rateLimitRedis);
  addAuthRoutes(routes, opts.accounts, {
    signup: limit('sign-up'),
    login: limit('log-in'),
    refresh: limit('refresh', opts.refreshRateLimitPerMinute),
  });
  addUserRoutes(routes, opts.accounts);
  addClassRoutes(routes, opts.classes);
  addClassActivityRoutes(routes, opts.classes, opts.chat, opts.polls);
  addBreakoutRoutes(routes, opts.classes, opts.breakouts);
  addInviteRoutes(routes, opts.classes, limit('guest join'));
  routes.add({
    method: 'get',
    path: '/api/client-config',
    summary: 'Operator settings the web client needs (no secrets)',
    tag: 'config',
    audience: 'public',
    responses: { 200: { description: 'Client settings', schema: clientConfigSchema } },
    handler: async () => ({ status: 200, body: await opts.clientConfig() }),
  });
  opts.extraRoutes?.(routes, { classes: opts.classes });

  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  const metricsToken = opts.metricsToken;
  // Without a token the metrics are only on the operator's METRICS_PORT, never on this port.
  if (metricsToken) {
    router.get('/metrics', async (ctx) => {
      if (!metricsAuthorized(ctx.get('authorization') || undefined, metricsToken)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new HttpError('unauthorized', 'Metrics need the METRICS_TOKEN bearer token');
      }
      ctx.type = opts.registry.contentType;
      ctx.body = await opts.registry.metrics();
    });
  }
  const openApi = buildOpenApi(routes.all(), { version: opts.version });
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  routes.mount(router, (ctx) => authenticate(ctx, opts.tokens));

  app.use(requestContext(opts.logger, { requests, duration }));
  if (!opts.trustProxy) app.use(proxyHint(opts.logger));
  if (opts.webRoot) app.use(staticFiles(opts.webRoot));
  app.use(errorMiddleware());
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // Emotion (MUI) and tldraw inject style elements at run time.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'blob:'],
          fontSrc: ["'self'", 'data:'],
          workerSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'", 'ws:', 'wss:', 'data:', 'blob:'],
          upgradeInsecureRequests: null,
        },
      },
      // Plain http on a school LAN must keep working.
      strictTransportSecurity: false,
    }),
  );
  if (opts.corsOrigins.length > 0) {
    const allowed = new Set(opts.corsOrigins);
    app.use(
      cors({
        origin: (ctx) => {
          const origin = ctx.get('Origin');
          return allowed.has(origin) ? origin : '';
        },
        allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        exposeHeaders: ['X-Request-Id'],
      }),
    );
  }
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: opts.bodyLimitBytes,
      encoding: 'utf-8',
    }),
  );
  for (const mw of opts.extraMiddleware ?? []) app.use(mw);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
