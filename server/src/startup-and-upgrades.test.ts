/**
 * Every connection gets an answer: a request that arrives while the server is still starting
 * (held here by a paused Redis), and a WebSocket upgrade to a path no part serves.
 */
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/free-port.js';
import { startRedis, type RedisServer } from '../../test-support/redis-server.js';
import { startTestServer } from './test-support/test-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Resolves once something accepts TCP connections on the port. */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/**
 * Sends a raw WebSocket upgrade and reports what came back and whether the server closed the
 * connection; `open` when it is still open after `ms`.
 */
function rawUpgrade(
  port: number,
  path: string,
  ms = 5000,
): Promise<{ status: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ status: data.split('\r\n')[0] ?? '', closed: false });
    }, ms);
    socket.on('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ status: data.split('\r\n')[0] ?? '', closed: true });
    });
  });
}

describe('start-up', () => {
  it('answers requests and upgrades that arrive before the server is ready', async () => {
    const redis: RedisServer = await startRedis();
    cleanups.push(() => redis.stop());
    // Collab connects to Redis after the port listens: a paused Redis holds the start there.
    process.kill(redis.pid, 'SIGSTOP');
    const port = await freePort();
    const starting = startTestServer({ PORT: String(port), REDIS_URL: redis.url });
    cleanups.push(async () => {
      process.kill(redis.pid, 'SIGCONT');
      await (await starting).stop();
    });
    await listening(port);

    const early = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('2');
    expect(await early.json()).toEqual({
      error: { code: 'unavailable', message: expect.stringMatching(/starting/) },
    });
    const api = await fetch(`http://127.0.0.1:${port}/api/client-config`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(api.status).toBe(503);
    expect(await rawUpgrade(port, '/socket.io/?EIO=4&transport=websocket')).toEqual({
      status: 'HTTP/1.1 503 Service Unavailable',
      closed: true,
    });

    process.kill(redis.pid, 'SIGCONT');
    const server = await starting;
    expect((await server.call('GET', '/healthz')).status).toBe(200);
  });

  it('bounds how long a client may take to send its request', async () => {
    const server = await startTestServer({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
    });
    cleanups.push(() => server.stop());
    // Headers that never finish: the server answers 408 and closes instead of waiting on.
    const answer = await new Promise<{ data: string; closed: boolean }>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      let data = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ data, closed: false });
      }, 10_000);
      socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ data, closed: true });
      });
    });
    expect(answer.closed).toBe(true);
    expect(answer.data).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('upgrades to paths nobody serves', () => {
  it('answers 404 and closes each, while the served paths still upgrade', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const paths = ['/nowhere', '/collab', '/collabx/y', '/socket.iox/', '/api/me', '/'];
    const results = await Promise.all(paths.map((p) => rawUpgrade(server.port, p)));
    for (const r of results) {
      expect(r).toEqual({ status: 'HTTP/1.1 404 Not Found', closed: true });
    }
    // 50 at once, as in the report: every one answered and closed.
    const many = await Promise.all(
      Array.from({ length: 50 }, (_, i) => rawUpgrade(server.port, `/probe/${i}`)),
    );
    expect(many.filter((r) => r.closed && r.status.startsWith('HTTP/1.1 404'))).toHaveLength(50);
    // The owners still answer their own paths: collab refuses a bad document name itself
    // (400), Socket.IO refuses a missing token only after the WebSocket opened.
    expect((await rawUpgrade(server.port, '/collab/not-a-doc')).status).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    const sio = await rawUpgrade(server.port, '/socket.io/?EIO=4&transport=websocket', 1000);
    expect(sio.status).toBe('HTTP/1.1 101 Switching Protocols');
  });
});
