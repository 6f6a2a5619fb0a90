import { afterEach, expect, it } from 'vitest';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it('serves the web client and the API from one process, and stops cleanly on SIGTERM', async () => {
  server = await startServer();
  const page = await fetch(`${server.baseUrl}/join/some-invite-code-here`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html).toContain('<div id="root">');
  // Every script and stylesheet is ours: nothing is fetched from a CDN.
  const external = [...html.matchAll(/(?:src|href)="(https?:[^"]+)"/g)].map((m) => m[1]);
  expect(external).toEqual([]);
  const health = await fetch(`${server.baseUrl}/healthz`);
  expect(await health.json()).toEqual({ status: 'ok' });

  const exit = new Promise<number | null>((r) => server!.process.once('exit', (code) => r(code)));
  server.process.kill('SIGTERM');
  expect(await exit).toBe(0);
});

it('refuses to start with a bad setting and names it', async () => {
  await expect(startServer({ PORT: 'eighty' })).rejects.toThrow(/PORT: must be a port number/);
});
