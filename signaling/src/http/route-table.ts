import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { UserRole } from '@educloud/protocol';
import type { Principal } from '../auth/principal.js';
import { HttpError } from './http-error.js';
import { parseOrThrow } from './parse-or-throw.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: anyone, any valid token (accounts and guests), or accounts only. */
export type Audience = 'public' | 'member' | 'account';

export interface RouteInput<P, Q, B> {
  principal: Principal | undefined;
  params: P;
  query: Q;
  body: B;
  ctx: Context;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Koa-style path, e.g. `/api/classes/:id`. */
  path: string;
  summary: string;
  tag: string;
  audience: Audience;
  /** Account roles allowed, when narrower than every account. */
  roles?: UserRole[];
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Extra middleware run before validation (rate limiting). */
  before?: Middleware[];
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler(input: RouteInput<P, Q, B>): Promise<RouteResult>;
}

/**
 * The single list of HTTP routes: each spec is mounted on the router with its validation and
 * also rendered into the OpenAPI document, so the two cannot drift apart.
 */
export class RouteTable {
  private readonly specs: RouteSpec[] = [];

  add<P, Q, B>(spec: RouteSpec<P, Q, B>): this {
    this.specs.push(spec as RouteSpec);
    return this;
  }

  all(): readonly RouteSpec[] {
    return this.specs;
  }

  mount(router: Router, authenticate: (ctx: Context) => Promise<Principal | undefined>): void {
    for (const spec of this.specs) {
      const run: Middleware = async (ctx) => {
        const principal = spec.audience === 'public' ? undefined : await authenticate(ctx);
        if (spec.audience !== 'public') checkAudience(spec, principal);
        if (spec.body && ctx.request.length && !ctx.is('application/json')) {
          throw new HttpError('unsupported_media_type', 'Send the body as application/json');
        }
        const params = spec.params ? parseOrThrow(spec.params, ctx.params, 'params') : undefined;
        const query = spec.query ? parseOrThrow(spec.query, ctx.query, 'query') : undefined;
        const body = spec.body ? parseOrThrow(spec.body, ctx.request.body, 'body') : undefined;
        const result = await spec.handler({ principal, params, query, body, ctx });
        ctx.status = result.status;
        if (result.body !== undefined) ctx.body = result.body;
      };
      router[spec.method](spec.path, ...(spec.before ?? []), run);
    }
  }
}

function checkAudience(spec: RouteSpec, principal: Principal | undefined): void {
  if (!principal) throw new HttpError('unauthorized', 'Log in first (missing or invalid token)');
  if (spec.audience === 'account' && principal.kind !== 'user') {
    throw new HttpError('forbidden', 'Guests cannot do that; sign up or log in');
  }
  if (spec.roles && (principal.kind !== 'user' || !spec.roles.includes(principal.role))) {
    throw new HttpError('forbidden', `Only ${spec.roles.join(' or ')} accounts can do that`);
  }
}

/** Routes for members and accounts always run with a principal; this keeps handlers free of `!`. */
export function who(p: Principal | undefined): Principal {
  if (!p) throw new Error('route reached without a principal');
  return p;
}
