import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ResolvedSfuOptions } from '../options.js';
import type { PoolWorker } from '../PoolWorker.js';
import type { ActiveSpeaker } from './ActiveSpeaker.js';
import type { ProducerDirectory } from './ProducerDirectory.js';
import type { VideoSelection } from './VideoSelection.js';

/** What a room shares with its peers: its router, the worker it lives on, its producers. */
export interface RoomContext {
  readonly roomId: string;
  readonly router: types.Router;
  readonly poolWorker: PoolWorker;
  readonly options: ResolvedSfuOptions;
  readonly logger: Logger;
  readonly producers: ProducerDirectory;
  readonly speaker: ActiveSpeaker;
  /** Last-N and dynacast: which camera consumers flow. */
  readonly video: VideoSelection;
  /** True once the room is closing: late mediasoup objects are closed instead of adopted. */
  readonly isClosed: () => boolean;
}
