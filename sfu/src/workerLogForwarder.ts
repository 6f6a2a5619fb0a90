import * as mediasoup from 'mediasoup';
import type { Logger } from 'pino';

/*
 * mediasoup hands every log line (its own and its workers', relayed over the channel as
 * "[pid:N] ...") to one process-wide set of listeners. This module is the single owner of that
 * hook and routes each line to the logger of the pool that owns worker N, so several pools (or
 * tests) in one process keep their logs apart. Lines naming no worker go to every pool.
 */

const workerLoggers = new Map<number, Logger>();
const poolLoggers = new Set<Logger>();
const pidPattern = /\[pid:(\d+)/;

type Level = 'debug' | 'warn' | 'error';

function route(level: Level, namespace: string, line: string, error?: Error): void {
  const match = pidPattern.exec(line);
  const target = match ? workerLoggers.get(Number(match[1])) : undefined;
  const targets = target ? [target] : poolLoggers;
  for (const logger of targets) {
    const fields = error ? { namespace, err: error } : { namespace };
    logger[level](fields, line);
  }
}

function sync(): void {
  if (workerLoggers.size === 0 && poolLoggers.size === 0) {
    mediasoup.setLogEventListeners();
    return;
  }
  mediasoup.setLogEventListeners({
    ondebug: (namespace, line) => route('debug', namespace, line),
    onwarn: (namespace, line) => route('warn', namespace, line),
    onerror: (namespace, line, error) => route('error', namespace, line, error),
  });
}

/** Sends lines that name no worker (mediasoup's Node side, worker stdout/stderr) to `logger`. */
export function forwardPoolLogs(logger: Logger): () => void {
  poolLoggers.add(logger);
  sync();
  return () => {
    poolLoggers.delete(logger);
    sync();
  };
}

/** Sends the lines of worker `pid` to `logger`. */
export function forwardWorkerLogs(pid: number, logger: Logger): () => void {
  workerLoggers.set(pid, logger);
  sync();
  return () => {
    if (workerLoggers.get(pid) === logger) workerLoggers.delete(pid);
    sync();
  };
}
