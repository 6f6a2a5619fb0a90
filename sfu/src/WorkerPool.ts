import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { Logger } from 'pino';
import { SfuError } from './errors.js';
import type { ResolvedSfuOptions } from './options.js';
import { PoolWorker } from './PoolWorker.js';
import { forwardPoolLogs } from './workerLogForwarder.js';

export interface WorkerDiedEvent {
  index: number;
  pid: number;
  error: Error;
  /** Rooms whose router lived on the dead worker: already closed; rebuild them elsewhere. */
  roomIds: string[];
  /**
   * Rooms spread over several workers that only lost their router here: they stay open, and
   * the peers placed on this worker must reconnect (the room emits `peersLost`).
   */
  spreadRoomIds: string[];
}

export interface WorkerReplacedEvent {
  index: number;
  pid: number;
}

export interface WorkerReplaceFailedEvent {
  index: number;
  error: unknown;
  /** Milliseconds until the next attempt. */
  retryInMs: number;
}

export type WorkerPoolEvents = {
  workerDied: [WorkerDiedEvent];
  workerReplaced: [WorkerReplacedEvent];
  workerReplaceFailed: [WorkerReplaceFailedEvent];
};

const maxRetryDelayMs = 10_000;

/**
 * N mediasoup workers, one per core. A worker that dies is replaced in the same slot (so it
 * listens on the same port again) and `workerDied` names the rooms it took down.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly mediasoupVersion = mediasoup.version;
  private readonly slots: (PoolWorker | undefined)[];
  private readonly replacing = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  private deathCount = 0;

  private constructor(
    private readonly options: ResolvedSfuOptions,
    private readonly logger: Logger,
    private readonly stopPoolLogs: () => void,
  ) {
    super();
    this.slots = new Array<PoolWorker | undefined>(options.numWorkers).fill(undefined);
  }

  static async create(options: ResolvedSfuOptions, logger: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(options, logger, forwardPoolLogs(logger));
    try {
      // One at a time: two workers starting together could race for the same random port.
      for (let index = 0; index < options.numWorkers; index++) {
        pool.install(index, await PoolWorker.create(index, options, logger));
      }
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Workers currently running, in slot order. */
  get workers(): readonly PoolWorker[] {
    return this.slots.filter((slot): slot is PoolWorker => slot !== undefined && slot.alive);
  }

  /** Workers that died since start (for metrics). */
  get deaths(): number {
    return this.deathCount;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  leastLoaded(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const worker of this.workers) {
      if (!best || worker.load < best.load) best = worker;
    }
    if (!best) throw new SfuError('internal', 'no mediasoup worker is running');
    return best;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    // A replacement still starting is installed and then closed below.
    await Promise.allSettled([...this.replacing]);
    const workers = this.slots.filter((slot): slot is PoolWorker => slot !== undefined);
    this.slots.fill(undefined);
    await Promise.all(workers.map((worker) => worker.close()));
    this.stopPoolLogs();
    this.logger.info('worker pool closed');
  }

  private install(index: number, worker: PoolWorker): void {
    this.slots[index] = worker;
    worker.worker.on('died', (error) => this.onDied(worker, error));
  }

  private onDied(worker: PoolWorker, error: Error): void {
    worker.release();
    if (this.slots[worker.index] === worker) this.slots[worker.index] = undefined;
    if (this.closed) return;
    this.deathCount++;
    const roomIds = [...worker.roomIds];
    const spreadRoomIds = [...worker.spreadRoomIds];
    worker.logger.error(
      { err: error, roomIds, spreadRoomIds },
      'mediasoup worker died, replacing it',
    );
    this.emit('workerDied', {
      index: worker.index,
      pid: worker.pid,
      error,
      roomIds,
      spreadRoomIds,
    });
    this.replace(worker.index, 0);
  }

  private replace(index: number, attempt: number): void {
    const task = (async () => {
      try {
        const worker = await PoolWorker.create(index, this.options, this.logger);
        if (this.closed) {
          await worker.close();
          return;
        }
        this.install(index, worker);
        this.logger.info({ worker: index, workerPid: worker.pid }, 'mediasoup worker replaced');
        this.emit('workerReplaced', { index, pid: worker.pid });
      } catch (error) {
        if (this.closed) return;
        const retryInMs = Math.min(maxRetryDelayMs, 500 * 2 ** attempt);
        this.logger.error({ err: error, worker: index, retryInMs }, 'replacing worker failed');
        this.emit('workerReplaceFailed', { index, error, retryInMs });
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.replace(index, attempt + 1);
        }, retryInMs);
        this.retryTimers.add(timer);
      }
    })();
    this.replacing.add(task);
    void task.finally(() => this.replacing.delete(task));
  }
}
