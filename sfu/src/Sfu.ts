import type { Logger } from 'pino';
import { SfuError } from './errors.js';
import type { ResolvedSfuOptions } from './options.js';
import { Room } from './Room.js';
import { registerSfuMetrics } from './SfuMetrics.js';
import { WorkerPool } from './WorkerPool.js';

/** The handle start() returns: the worker pool and the rooms living on it. */
export class Sfu {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private closed = false;

  private constructor(
    readonly pool: WorkerPool,
    private readonly options: ResolvedSfuOptions,
    private readonly logger: Logger,
    private readonly unregisterMetrics: () => void,
  ) {}

  static async create(options: ResolvedSfuOptions): Promise<Sfu> {
    const logger = options.logger.child({ component: 'sfu' });
    const pool = await WorkerPool.create(options, logger);
    let unregisterMetrics: () => void;
    try {
      unregisterMetrics = registerSfuMetrics(options.registry, pool);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return new Sfu(pool, options, logger, unregisterMetrics);
  }

  get roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  getRoom(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  /** Creates the room on the least loaded worker; `conflict` if it exists already. */
  async createRoom(roomId: string): Promise<Room> {
    if (this.rooms.has(roomId) || this.creating.has(roomId)) {
      throw new SfuError('conflict', `room ${roomId} exists already`);
    }
    return this.getOrCreateRoom(roomId);
  }

  /** Concurrent calls for one id (two students joining at once) share one room. */
  getOrCreateRoom(roomId: string): Promise<Room> {
    if (this.closed) return Promise.reject(new SfuError('internal', 'the sfu is closed'));
    if (typeof roomId !== 'string' || roomId === '') {
      return Promise.reject(new SfuError('validation_failed', 'roomId must be a non-empty string'));
    }
    const existing = this.rooms.get(roomId);
    if (existing) return Promise.resolve(existing);
    const pending = this.creating.get(roomId);
    if (pending) return pending;

    const task = (async () => {
      const room = await Room.create(roomId, this.pool.leastLoaded(), this.options);
      if (this.closed) {
        room.close();
        throw new SfuError('internal', 'the sfu is closed');
      }
      this.rooms.set(roomId, room);
      room.once('close', () => {
        if (this.rooms.get(roomId) === room) this.rooms.delete(roomId);
      });
      return room;
    })();
    // Registered before it settles: a synchronous failure (no worker running while one is
    // being replaced) must not stay cached as this room's pending creation.
    this.creating.set(roomId, task);
    const forget = () => {
      if (this.creating.get(roomId) === task) this.creating.delete(roomId);
    };
    task.then(forget, forget);
    return task;
  }

  /** Closes every room, then every worker, and waits for the worker processes to exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.creating.values()]);
    for (const room of [...this.rooms.values()]) room.close();
    this.rooms.clear();
    this.unregisterMetrics();
    await this.pool.close();
    this.logger.info('sfu closed');
  }
}
