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
 * the others only hold peers.
 */
export class RoomRouter {
  /** Peers placed here (counted when placed, before their first transport exists). */
  readonly peerIds = new Set<string>();

  private constructor(
    readonly router: types.Router,
    readonly poolWorker: PoolWorker,
    /** On the home router only (see RoomRouters.addSpeaker). */
    readonly speaker: ActiveSpeaker | undefined,
    readonly isHome: boolean,
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
    try {
      const observer = isHome
        ? await router.createActiveSpeakerObserver({ interval: options.activeSpeakerIntervalMs })
        : undefined;
      const speaker = observer && new ActiveSpeaker(observer, producers, logger);
      // Rooms in the first set are lost with this worker; in the second they only lose a part.
      const ids = isHome ? poolWorker.roomIds : poolWorker.spreadRoomIds;
      poolWorker.counts.routers++;
      ids.add(roomId);
      router.observer.once('close', () => {
        poolWorker.counts.routers--;
        // After a crash the dead worker keeps the id, so the pool can report the room.
        if (poolWorker.alive) ids.delete(roomId);
      });
      logger.info({ routerId: router.id, worker: poolWorker.index, isHome }, 'router opened');
      return new RoomRouter(router, poolWorker, speaker, isHome);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get alive(): boolean {
    return !this.router.closed;
  }
}
