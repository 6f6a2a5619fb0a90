import { readFile, rm } from 'node:fs/promises';
import type { Logger } from 'pino';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * An ffmpeg started by a killed server is orphaned, not killed: it may still be writing. Stop it
 * the graceful way first (SIGINT, so it closes its last segment), then by force after `graceMs`.
 * Only a process whose command line names `owner` is touched (pids get reused). The pid file is
 * removed either way.
 */
export async function stopOrphanWriter(
  pidFile: string,
  owner: string,
  graceMs: number,
  logger: Logger,
): Promise<void> {
  const text = await readFile(pidFile, 'utf8').catch(() => null);
  if (text === null) return;
  const pid = Number.parseInt(text, 10);
  if (Number.isInteger(pid) && pid > 1 && alive(pid)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(owner)) {
      logger.warn({ pid, owner }, 'stopping orphaned ffmpeg writer');
      process.kill(pid, 'SIGINT');
      const deadline = Date.now() + graceMs;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  await rm(pidFile, { force: true });
}
