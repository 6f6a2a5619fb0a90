import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test-support/free-port.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface E2eServer {
  baseUrl: string;
  rtmpPort: number;
  dataDir: string;
  process: ChildProcess;
  /** A JSON call to the server's API; null for an empty (204) answer. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

/**
 * Runs the built server exactly as `npm start` does (node server/dist/main.js), on a free
 * loopback port with a throw-away data dir, and waits for the address it prints.
 */
export async function startServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'educloud-e2e-'));
  const rtmpPort = Number(env.RTMP_PORT ?? (await freePort()));
  const child = spawn(process.execPath, [path.join(repoRoot, 'server/dist/main.js')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      REFRESH_RATE_LIMIT_PER_MINUTE: '1000',
      ALLOW_TEACHER_SIGNUP: 'true',
      MEDIASOUP_WORKERS: '1',
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_PORT: '0',
      RTMP_PORT: String(rtmpPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /open (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  let baseUrl: string;
  try {
    baseUrl = await started;
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    baseUrl,
    async api(method, apiPath, body, token) {
      const res = await fetch(`${baseUrl}${apiPath}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.status === 204 ? null : res.json();
    },
    rtmpPort,
    dataDir,
    process: child,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
