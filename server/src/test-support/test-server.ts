import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { testPostgresDatabase } from '../../../test-support/test-database.js';
import { loadConfig, type Env } from '../config.js';
import { startServer, type RunningServer } from '../server.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** The PostgreSQL database, in the projects that run on PostgreSQL; else SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** Sends JSON to the API and returns the status and parsed body. */
  call(
    method: string,
    url: string,
    opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

// In the PostgreSQL projects a data dir names its database in this file, so a server started
// again on the same DATA_DIR (a restart, a second node) opens the same database, as with SQLite.
const DATABASE_URL_FILE = 'test-database-url';

async function databaseOf(
  dataDir: string,
): Promise<{ url: string; drop?: () => Promise<void> } | undefined> {
  const known = await readFile(path.join(dataDir, DATABASE_URL_FILE), 'utf8').catch(() => null);
  if (known) return { url: known };
  const fresh = await testPostgresDatabase();
  if (fresh) await writeFile(path.join(dataDir, DATABASE_URL_FILE), fresh.url);
  return fresh;
}

/**
 * The real server on a free loopback port with a throw-away data dir (and the given logger); on
 * SQLite, or on a fresh PostgreSQL database in the projects that run on PostgreSQL.
 */
export async function startTestServer(env: Env = {}, logger?: Logger): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'educloud-test-')));
  const database = env.DATABASE_URL ? undefined : await databaseOf(dataDir);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    REFRESH_RATE_LIMIT_PER_MINUTE: '1000',
    // Most tests sign up teachers themselves; the default (off) has its own tests.
    ALLOW_TEACHER_SIGNUP: 'true',
    MEDIASOUP_WORKERS: '1',
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_PORT: '0',
    // node-media-server keeps process-wide state: one ingest per process, so tests that need
    // RTMP turn it on for their one server.
    RTMP_ENABLED: 'false',
    DATABASE_URL: database?.url,
    // An undefined value unsets a default above.
    ...Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v === undefined ? undefined : String(v)]),
    ),
  });
  const server = await startServer(config, logger);
  const call: TestServer['call'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`http://127.0.0.1:${server.port}${url}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (metrics, HTML): hand back the text.
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    ...server,
    dataDir,
    databaseUrl: env.DATABASE_URL ?? database?.url,
    call,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop?.();
    },
  };
}
