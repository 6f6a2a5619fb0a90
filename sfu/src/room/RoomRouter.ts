import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { mediaCodecs } from '../mediaCodecs.js';
import type { ResolvedSfuOptions } from '../options.js';
import type { PoolWorker } from '../PoolWorker.js';
import { ActiveSpeaker } from './ActiveSpeaker.js';
import type { ProducerDirectory } from './ProducerDirectory.js';

/**
 * One router of a room on one worker. The first router of a room is its home: the room's
 * active speaker observer, pipes to breakouts and other nodes, and the recorder live there;
 * the others only hold peers. When home's worker dies, another router of the room becomes
 * home (RoomRouters).
 */
export class RoomRouter {
  /** Peers placed here (counted when placed, before their first transport exists). */
  readonly peerIds = new Set<string>();
  private homeSpeaker: ActiveSpeaker | undefined;

  private constructor(
    private readonly roomId: string,
    readonly router: types.Router,
    readonly poolWorker: PoolWorker,
  ) {}

  static async create(
    roomId: string,
    poolWorker: PoolWorker,
    isHome: boolean,
    options: ResolvedSfuOptions,
    producers: ProducerDirectory,
    logger: Logger,
  ): Promise<RoomRouter> {
    const router = await poolWorker.worker.createRouter({ mediaCodecs, appData: { roomId } });
    const made = new RoomRouter(roomId, router, poolWorker);
    try {
      poolWorker.counts.routers++;
      // Rooms in the first set are lost with this worker; in the second they only lose a part.
      poolWorker.spreadRoomIds.add(roomId);
      router.observer.once('close', () => {
        poolWorker.counts.routers--;
        // After a crash the dead worker keeps the id, so the pool can report the room.
        if (poolWorker.alive)
          (made.isHome ? poolWorker.roomIds : poolWorker.spreadRoomIds).delete(roomId);
      });
      if (isHome) await made.becomeHome(options, producers, logger);
      logger.info({ routerId: router.id, worker: poolWorker.index, isHome }, 'router opened');
      return made;
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get alive(): boolean {
    return !this.router.closed;
  }

  get isHome(): boolean {
    return this.homeSpeaker !== undefined;
  }

  /** On the home router only (see RoomRouters.addSpeaker). */
  get speaker(): ActiveSpeaker | undefined {
    return this.homeSpeaker;
  }

  /** Takes the room's home duties here: the speaker observer (empty: microphones are re-added). */
  async becomeHome(
    options: ResolvedSfuOptions,
    producers: ProducerDirectory,
    logger: Logger,
  ): Promise<ActiveSpeaker> {
    if (this.homeSpeaker) return this.homeSpeaker;
    const observer = await this.router.createActiveSpeakerObserver({
      interval: options.activeSpeakerIntervalMs,
    });
    this.homeSpeaker = new ActiveSpeaker(observer, producers, logger);
    if (this.poolWorker.alive && this.alive) {
      this.poolWorker.spreadRoomIds.delete(this.roomId);
      this.poolWorker.roomIds.add(this.roomId);
    }
    return this.homeSpeaker;
  }
}
