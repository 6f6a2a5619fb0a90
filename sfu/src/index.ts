import { resolveOptions, type SfuOptions } from './options.js';
import { Sfu } from './Sfu.js';

export { Sfu } from './Sfu.js';
export { ClassRooms, type ClassRoomsEvents } from './ClassRooms.js';
export { Room, type RoomEvents, type RoomCloseReason } from './room/Room.js';
export { Peer, type PeerEvents } from './room/Peer.js';
export {
  WorkerPool,
  type WorkerPoolEvents,
  type WorkerDiedEvent,
  type WorkerReplacedEvent,
  type WorkerReplaceFailedEvent,
} from './WorkerPool.js';
export type { PoolWorker, WorkerAddress, WorkerCounts } from './PoolWorker.js';
export { SfuError, type SfuErrorCode } from './errors.js';
export { mediaCodecs } from './mediaCodecs.js';
export type { SfuOptions } from './options.js';
export * from './types.js';

/** Starts the media plane: validates options, spawns the workers, registers the metrics. */
export async function start(options: SfuOptions): Promise<Sfu> {
  return Sfu.create(resolveOptions(options));
}
export {
  RoomRecorder,
  type RecordableRoom,
  type RecordedTrackInfo,
  type RoomRecorderOptions,
} from './recording/room-recorder.js';
export { TRACK_PID_FILE, SEGMENT_PREFIX } from './recording/track-writer.js';
export {
  finalizeTrack,
  countPackets,
  probeDurationMs,
  probeMediaSpanMs,
  listSegments,
  type FinalizeTrackTools,
} from './recording/finalize-track.js';
export { startSyntheticProducer, type SyntheticProducer } from './recording/synthetic-producer.js';
export {
  NodePipe,
  type NodePipeOptions,
  type PipeEndpoint,
  type ExportedProducer,
} from './nodes/node-pipe.js';
