import { stat } from 'node:fs/promises';
import path from 'node:path';
import send from 'koa-send';
import type { Middleware } from 'koa';

/**
 * Serves the built web client; unknown paths outside the API get index.html so client-side
 * routes (e.g. /join/<code>) load on a fresh visit. Hashed assets are cached for a year.
 */
export function staticFiles(root: string): Middleware {
  const reserved = ['/api/', '/socket.io/', '/collab/', '/hls/', '/metrics', '/healthz'];
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined || ctx.status !== 404) return;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return;
    if (reserved.some((p) => ctx.path === p || ctx.path.startsWith(p))) return;
    const file = path.join(root, path.normalize(ctx.path));
    const isAsset = ctx.path.startsWith('/assets/');
    const exists = ctx.path !== '/' && file.startsWith(root) && (await isFile(file));
    if (exists) {
      await send(ctx, ctx.path, {
        root,
        maxage: isAsset ? 365 * 24 * 3600 * 1000 : 0,
        immutable: isAsset,
      });
      return;
    }
    if (path.extname(ctx.path) && isAsset) return;
    ctx.set('Cache-Control', 'no-cache');
    await send(ctx, 'index.html', { root });
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
