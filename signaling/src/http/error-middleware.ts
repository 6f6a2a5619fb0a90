import type { Middleware } from 'koa';
import type { ErrorBody, ErrorCode } from '@educloud/protocol';
import { HttpError } from './http-error.js';

const codeByStatus: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

interface KoaLikeError {
  status?: number;
  expose?: boolean;
  message?: string;
  type?: string;
  headers?: Record<string, string>;
}

/** Every failure leaves as JSON with a stable code; internals are logged, never sent. */
export function errorMiddleware(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api')) {
        throw new HttpError('not_found', `No route ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const body = toErrorBody(err);
      const e = err as KoaLikeError;
      if (body.error.code === 'internal') {
        ctx.state.log?.error({ err }, 'request failed');
      }
      ctx.status = err instanceof HttpError ? err.status : (e.status ?? 500);
      if (ctx.status >= 500) ctx.status = 500;
      if (e.headers) ctx.set(e.headers);
      ctx.body = body;
    }
  };
}

function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof HttpError) {
    return {
      error: {
        code: err.code,
        message: err.message,
        ...(err.fields ? { fields: err.fields } : {}),
      },
    };
  }
  const e = err as KoaLikeError;
  const code = e.status ? codeByStatus[e.status] : undefined;
  if (!code) return { error: { code: 'internal', message: 'Something went wrong on our side' } };
  if (e.type === 'entity.too.large') {
    return { error: { code, message: 'The request body is too large' } };
  }
  if (e.status === 400 && !e.expose) {
    const message = 'The request body is not valid JSON (an object is expected)';
    return { error: { code, message, fields: [{ path: 'body', message }] } };
  }
  return { error: { code, message: e.message ?? code } };
}
