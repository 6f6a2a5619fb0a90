import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { registerClassMetrics } from './ClassMetrics.js';
import { ClassRooms } from './ClassRooms.js';
import { SfuError } from './errors.js';
import { mediaCodecs } from './mediaCodecs.js';
import type { ResolvedSfuOptions } from './options.js';
import type { Room } from './room/Room.js';
import { registerSfuMetrics } from './SfuMetrics.js';
import { WorkerPool } from './WorkerPool.js';

/** The handle start() returns: the worker pool and the classes whose rooms live on it. */
export class Sfu {
  private readonly classes = new Map<string, ClassRooms>();
  private closed = false;
  private capabilities: Promise<types.RtpCapabilities> | undefined;
  private readonly unregisterClassMetrics: () => void;

  private constructor(
    readonly pool: WorkerPool,
    private readonly options: ResolvedSfuOptions,
    private readonly logger: Logger,
    private readonly unregisterMetrics: () => void,
  ) {
    this.unregisterClassMetrics = registerClassMetrics(
      options.registry,
      () => this.classes.values(),
      () => this.pool.workers,
    );
  }

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

  /** The rooms of one class, created empty on first use. */
  classRooms(classId: string): ClassRooms {
    if (this.closed) throw new SfuError('internal', 'the sfu is closed');
    if (typeof classId !== 'string' || classId === '') {
      throw new SfuError('validation_failed', 'classId must be a non-empty string');
    }
    let rooms = this.classes.get(classId);
    if (!rooms) {
      const created = new ClassRooms(classId, this.pool, this.options);
      created.on('empty', () => {
        if (this.classes.get(classId) === created) this.classes.delete(classId);
      });
      this.classes.set(classId, created);
      rooms = created;
    }
    return rooms;
  }

  /**
   * What every router of this SFU accepts: all are made with the same codecs, so one made for
   * the purpose (and closed at once) answers for them all, before any room exists.
   */
  routerRtpCapabilities(): Promise<types.RtpCapabilities> {
    if (this.closed) return Promise.reject(new SfuError('internal', 'the sfu is closed'));
    this.capabilities ??= this.readCapabilities().catch((err: unknown) => {
      this.capabilities = undefined;
      throw err;
    });
    return this.capabilities;
  }

  private async readCapabilities(): Promise<types.RtpCapabilities> {
    const router = await this.pool.leastLoaded().worker.createRouter({ mediaCodecs });
    const { rtpCapabilities } = router;
    router.close();
    return rtpCapabilities;
  }

  /** The rooms of a class, if it has any. */
  findClass(classId: string): ClassRooms | undefined {
    return this.classes.get(classId);
  }

  /** Any open room, by its id. */
  getRoom(roomId: string): Room | undefined {
    for (const rooms of this.classes.values()) {
      const room = rooms.rooms.find((r) => r.id === roomId);
      if (room) return room;
    }
    return undefined;
  }

  /** A class's main room on the least loaded worker; `conflict` if it exists already. */
  async createRoom(classId: string): Promise<Room> {
    const rooms = this.classRooms(classId);
    if (rooms.main || rooms.isOpening) {
      throw new SfuError('conflict', `room ${classId} exists already`);
    }
    return rooms.openMain();
  }

  /** Closes every room, then every worker, and waits for the worker processes to exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.classes.values()].map((rooms) => rooms.close()));
    this.classes.clear();
    this.unregisterMetrics();
    this.unregisterClassMetrics();
    await this.pool.close();
    this.logger.info('sfu closed');
  }
}
