import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { proxyHint } from './proxy-hint.js';

describe('proxyHint', () => {
  it('warns once when a proxy forwards requests to a server that does not trust it', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const app = new Koa();
    app.use(proxyHint(logger));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await fetch(url);
      expect(lines).toEqual([]);
      for (let i = 0; i < 3; i++) await fetch(url, { headers: { 'x-forwarded-for': '10.0.0.1' } });
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!).msg).toMatch(/TRUST_PROXY is off/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
