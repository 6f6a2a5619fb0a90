import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { start, type CollabHandle, type CollabOptions } from '../index.js';
import type { AnyKysely } from '../store.js';
import { testAuthorize } from './auth.js';

export interface TestServer {
  http: Server;
  handle: CollabHandle;
  registry: Registry;
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(
  db: AnyKysely,
  extra: Partial<CollabOptions> = {},
): Promise<TestServer> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const registry = new Registry();
  const handle = await start({
    httpServer: http,
    db,
    logger: pino({ level: process.env.COLLAB_TEST_LOG ?? 'silent' }),
    registry,
    authorize: testAuthorize,
    ...extra,
  });
  const { port } = http.address() as AddressInfo;
  return {
    http,
    handle,
    registry,
    url: `ws://127.0.0.1:${port}/collab`,
    async close() {
      await handle.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return NaN;
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}
