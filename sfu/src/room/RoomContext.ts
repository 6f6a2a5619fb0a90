import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ResolvedSfuOptions } from '../options.js';
import type { PoolWorker } from '../PoolWorker.js';
import type { ActiveSpeaker } from './ActiveSpeaker.js';
import type { ProducerDirectory } from './ProducerDirectory.js';
import type { VideoSelection } from './VideoSelection.js';

/** What every peer of a room shares: its producers, last-N and dynacast, its state. */
export interface RoomShared {
  readonly roomId: string;
  readonly options: ResolvedSfuOptions;
  readonly logger: Logger;
  readonly producers: ProducerDirectory;
  /** Last-N and dynacast: which camera consumers flow. */
  readonly video: VideoSelection;
  /** True once the room is closing: late mediasoup objects are closed instead of adopted. */
  readonly isClosed: () => boolean;
}

/**
 * What a peer sees of its room: the shared parts, and the router it was placed on (a room may
 * spread over several workers) and the worker it lives on.
 */
export interface RoomContext extends RoomShared {
  /** Read only after `place()` resolved. */
  readonly router: types.Router;
  readonly poolWorker: PoolWorker;
  /** The room's speaker observer (on its home router, whatever the peer's). */
  readonly speaker: Pick<ActiveSpeaker, 'add'>;
  /** Chooses the peer's router (once); call before its first transport. */
  place(): Promise<void>;
  /** Makes a producer of any router of the room consumable on the peer's router. */
  reach(producerId: string): Promise<void>;
}
