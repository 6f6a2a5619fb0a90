import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test-support/free-port.js';
import { traceServer } from './failure-report.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How much of a server's output is kept, for a failed test's report (failure-report.ts). */
const OUTPUT_TAIL_CHARS = 20_000;

export interface E2eServer {
  baseUrl: string;
  rtmpPort: number;
  dataDir: string;
  /** The running server process (a new one after restart()). */
  process: ChildProcess;
  /** A JSON call to the server's API; null for an empty (204) answer. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * Kills the server process with SIGKILL, as a crash or an orchestrator would, and waits for
   * it to be gone. The data dir stays.
   */
  kill(): Promise<void>;
  /**
   * Starts the server again on the same HTTP port, with the same settings and data dir (give
   * startServer a fixed RTC_PORT too for the media ports to stay where they were).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
  /**
   * The last ~20 KB the server printed (stdout and stderr, across restarts), or only what it
   * printed from `since` (a Date.now() time) on.
   */
  output(since?: number): string;
}

/**
 * Runs the built server exactly as `npm start` does (node server/dist/main.js), on a free
 * loopback port with a throw-away data dir, and waits for the address it prints.
 */
export async function startServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'educloud-e2e-'));
  const rtmpPort = Number(env.RTMP_PORT ?? (await freePort()));
  const serverEnv: Record<string, string> = {
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
  };
  // What the server printed, as it came, with when it came: a report shows a test's part.
  const chunks: { at: number; text: string }[] = [];
  let kept = 0;
  const onOutput = (text: string) => {
    chunks.push({ at: Date.now(), text });
    kept += text.length;
    while (kept - chunks[0]!.text.length >= OUTPUT_TAIL_CHARS) kept -= chunks.shift()!.text.length;
  };
  const output = (since = 0) =>
    chunks
      .filter((c) => c.at >= since)
      .map((c) => c.text)
      .join('')
      .slice(-OUTPUT_TAIL_CHARS);
  let running: { child: ChildProcess; baseUrl: string };
  try {
    running = await spawnServer(serverEnv, onOutput);
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const baseUrl = running.baseUrl;
  const untrace = traceServer(baseUrl, output);
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
    get process() {
      return running.child;
    },
    output,
    kill: () => killHard(running.child),
    async restart() {
      await killHard(running.child);
      running = await spawnServer({ ...serverEnv, PORT: new URL(baseUrl).port }, onOutput);
    },
    async close() {
      const child = running.child;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      untrace();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Spawns the built server and resolves with the address it prints once it serves; everything
 * it prints goes to `onOutput` too.
 */
async function spawnServer(
  env: Record<string, string>,
  onOutput: (text: string) => void,
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'server/dist/main.js')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /open (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    // Kept until the process is gone, not only until it started: a failed test's report shows it.
    child.stdout!.on('data', (c: Buffer) => onOutput(c.toString()));
    child.stderr!.on('data', (c: Buffer) => onOutput(c.toString()));
    child.once('exit', (code, signal) =>
      onOutput(`[harness] server process ${child.pid} exited (code ${code}, signal ${signal})\n`),
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  try {
    return { child, baseUrl: await started };
  } catch (err) {
    await killHard(child);
    throw err;
  }
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
