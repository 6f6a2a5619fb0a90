import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const PACKAGER_PID_FILE = 'packager.pid';

export interface PackagerOptions {
  ffmpegPath: string;
  args: string[];
  dir: string;
  /**
   * File name in `dir` holding ffmpeg's pid while it runs, so crash recovery can find an ffmpeg
   * that outlived us; null for readers that need no recovery (they die with the RTMP server).
   */
  pidFile?: string | null;
  logger: Logger;
  /** Whether the publisher is connected right now: an exit then is a failure to repair. */
  publisherLive: () => boolean;
  onRestart: () => void;
  /** Removes secrets (the stream key) from ffmpeg's messages. */
  redact: (s: string) => string;
}

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
// A run this long counts as healthy: the next failure starts the backoff over.
const STABLE_RUN_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Supervises the ffmpeg that turns one broadcast into HLS. It restarts ffmpeg with backoff when
 * it dies while the publisher is live; when it exits because the publisher left, it stays down
 * until the publisher resumes (ensureRunning) or the broadcast ends (stop).
 */
export class Packager {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;
  private spawnedAt = 0;
  private stderrTail: string[] = [];
  restarts = 0;

  constructor(private readonly o: PackagerOptions) {}

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.stopped || this.child || this.restartTimer) return;
    this.spawn();
  }

  /** Called when the publisher (re)connects: a packager still attached keeps going. */
  ensureRunning(): void {
    if (this.stopped || this.child) return;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    this.spawn();
  }

  /**
   * SIGINT makes ffmpeg flush the open segment and rewrite the playlist; -rw_timeout keeps it
   * from blocking in a read, which is what once made it ignore signals and lose the playlist.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const child = this.child;
    if (!child) return;
    child.kill('SIGINT');
    const done = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), STOP_TIMEOUT_MS).unref()),
    ]);
    if (!done) {
      this.o.logger.warn({ pid: child.pid }, 'packager ignored SIGINT, killing it');
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  private pidFile(): string | null {
    const name = this.o.pidFile === undefined ? PACKAGER_PID_FILE : this.o.pidFile;
    return name === null ? null : join(this.o.dir, name);
  }

  private spawn(): void {
    const child = spawn(this.o.ffmpegPath, this.o.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.spawnedAt = Date.now();
    this.stderrTail = [];
    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));
    const pidFile = this.pidFile();
    if (child.pid !== undefined && pidFile) {
      // Lets crash recovery find an ffmpeg that outlived us (it is not in our process group).
      writeFileSync(pidFile, String(child.pid));
    }
    this.o.logger.debug({ pid: child.pid }, 'packager started');
    let partial = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim().length === 0) continue;
        this.stderrTail.push(this.o.redact(line));
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      // The error's spawnargs (and so pino's err serializer) carry the RTMP URL with the key.
      const safe = Object.assign(new Error(this.o.redact(err.message)), {
        code: err.code,
        syscall: err.syscall && this.o.redact(err.syscall),
        path: err.path,
      });
      this.o.logger.error({ err: safe }, 'packager could not be spawned');
    });
    child.on('close', (code, signal) => {
      if (this.child === child) this.child = null;
      if (pidFile) rmSync(pidFile, { force: true });
      resolveExit();
      this.onExit(code, signal);
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopped) {
      this.o.logger.debug({ code, signal }, 'packager stopped');
      return;
    }
    if (!this.o.publisherLive()) {
      // The publisher left; ffmpeg's read timed out. Wait for a resume or the end.
      this.o.logger.debug({ code, signal }, 'packager exited after the publisher left');
      return;
    }
    if (Date.now() - this.spawnedAt > STABLE_RUN_MS) this.failures = 0;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.failures);
    this.failures += 1;
    this.o.logger.warn(
      { code, signal, delayMs: delay, stderr: this.stderrTail.slice(-5) },
      'packager died while the publisher is live, restarting',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopped || this.child) return;
      this.restarts += 1;
      this.o.onRestart();
      this.spawn();
    }, delay);
  }
}
