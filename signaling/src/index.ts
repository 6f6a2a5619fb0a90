import type { Server } from 'node:http';
import type Koa from 'koa';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AccountService } from './auth/account-service.js';
import { DerivedKeys } from './auth/secrets.js';
import { TokenService } from './auth/token-service.js';
import { ClassService } from './classes/class-service.js';
import { StreamKeys } from './classes/stream-keys.js';
import type { SignalingTables } from './db/schema.js';
import { createHttpApp } from './http/app.js';

export { signalingMigrations } from './db/migrations.js';
export type { SignalingTables } from './db/schema.js';
export type { Principal } from './auth/principal.js';
export { HttpError } from './http/http-error.js';
export type { AccountService } from './auth/account-service.js';
export type { ClassService } from './classes/class-service.js';
export type { TokenService } from './auth/token-service.js';

export interface SignalingOptions {
  httpServer: Server;
  db: Kysely<SignalingTables>;
  logger: Logger;
  registry: Registry;
  /** The server secret every token and stream key is derived from. */
  secret: string;
  publicUrl: string;
  rtmpUrl: string;
  version: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  guestTokenTtlSeconds: number;
  allowTeacherSignup: boolean;
  bodyLimitBytes: number;
  corsOrigins: string[];
  authRateLimitPerMinute: number;
  trustProxy: boolean;
  webRoot?: string;
  extraMiddleware?: Koa.Middleware[];
}

export interface SignalingHandle {
  app: Koa;
  accounts: AccountService;
  classes: ClassService;
  tokens: TokenService;
  close(): Promise<void>;
}

/** Accounts, classes and the HTTP API, mounted as the request handler of `httpServer`. */
export async function start(opts: SignalingOptions): Promise<SignalingHandle> {
  const keys = new DerivedKeys(opts.secret);
  const tokens = new TokenService(keys.jwt, opts.accessTokenTtlSeconds, opts.guestTokenTtlSeconds);
  const accounts = new AccountService(
    opts.db,
    tokens,
    opts.refreshTokenTtlSeconds,
    opts.allowTeacherSignup,
  );
  const classes = new ClassService(opts.db, tokens, new StreamKeys(keys.streamKey), {
    publicUrl: opts.publicUrl,
    rtmpUrl: opts.rtmpUrl,
  });
  const app = createHttpApp({ ...opts, accounts, classes, tokens });
  const handler = app.callback();
  opts.httpServer.on('request', handler);
  return {
    app,
    accounts,
    classes,
    tokens,
    async close() {
      opts.httpServer.off('request', handler);
    },
  };
}
