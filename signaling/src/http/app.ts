import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import helmet from 'koa-helmet';
import type { Logger } from 'pino';
import { clientConfigSchema, type ClientConfig } from '@educloud/protocol';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AccountService } from '../auth/account-service.js';
import type { TokenService } from '../auth/token-service.js';
import type { ClassService } from '../classes/class-service.js';
import { authenticate } from './authenticate.js';
import { errorMiddleware } from './error-middleware.js';
import { buildOpenApi } from './openapi.js';
import { perAddressLimit } from './rate-limit.js';
import { requestContext } from './request-context.js';
import { RouteTable } from './route-table.js';
import { addAuthRoutes } from './routes/auth-routes.js';
import type { ChatService } from '../live/chat-service.js';
import type { PollService } from '../live/polls.js';
import { addClassActivityRoutes } from './routes/class-activity-routes.js';
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
  tokens: TokenService;
  version: string;
  bodyLimitBytes: number;
  corsOrigins: string[];
  /** Sign-up, log-in and guest-join attempts per address per minute. */
  authRateLimitPerMinute: number;
  /** Trust X-Forwarded-* (behind a reverse proxy). */
  trustProxy: boolean;
  /** Built web client to serve at `/`, if any. */
  webRoot?: string;
  /** Middleware mounted before the SPA fallback (HLS files, recordings downloads …). */
  extraMiddleware?: Koa.Middleware[];
  extraRoutes?: (routes: RouteTable, services: { classes: ClassService }) => void;
  clientConfig: ClientConfig;
}

export function createHttpApp(opts: HttpAppOptions): Koa {
  const app = new Koa({ proxy: opts.trustProxy });
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
  const limit = (name: string) => perAddressLimit(name, opts.authRateLimitPerMinute, minute);
  addAuthRoutes(routes, opts.accounts, { signup: limit('sign-up'), login: limit('log-in') });
  addUserRoutes(routes, opts.accounts);
  addClassRoutes(routes, opts.classes);
  addClassActivityRoutes(routes, opts.classes, opts.chat, opts.polls);
  addInviteRoutes(routes, opts.classes, limit('guest join'));
  routes.add({
    method: 'get',
    path: '/api/client-config',
    summary: 'Operator settings the web client needs (no secrets)',
    tag: 'config',
    audience: 'public',
    responses: { 200: { description: 'Client settings', schema: clientConfigSchema } },
    handler: async () => ({ status: 200, body: opts.clientConfig }),
  });
  opts.extraRoutes?.(routes, { classes: opts.classes });

  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = opts.registry.contentType;
    ctx.body = await opts.registry.metrics();
  });
  const openApi = buildOpenApi(routes.all(), { version: opts.version });
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  routes.mount(router, (ctx) => authenticate(ctx, opts.tokens));

  app.use(requestContext(opts.logger, { requests, duration }));
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
