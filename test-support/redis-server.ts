import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort } from './free-port.js';

export interface RedisServer {
  url: string;
  /** The redis-server process (tests pause it with SIGSTOP to hold a client mid-connect). */
  pid: number;
  stop(): Promise<void>;
}

/** A real redis-server on a free loopback port, nothing persisted, stopped by stop(). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: proc.pid!,
    async stop() {
      if (proc.exitCode === null) {
        // A paused server would ignore SIGTERM.
        proc.kill('SIGCONT');
        proc.kill('SIGTERM');
      }
      await exited;
    },
  };
}
