import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

/** The child fixture runs the compiled library; build it (incremental, fast when current). */
export function buildCollab(): void {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', 'collab'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc -b collab failed:\n${r.stdout}${r.stderr}`);
}

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startChildServer(dbFile: string, redisUrl = ''): Promise<ChildServer> {
  const proc = spawn(process.execPath, [join(here, 'child-server.mjs'), dbFile, redisUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child server did not start')), 20_000);
    proc.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    proc,
    url: `ws://127.0.0.1:${port}/collab`,
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

export { startRedis, type RedisServer } from '../../../test-support/redis-server.js';
