import type { types } from 'mediasoup';
import type { MediaSource } from '../types.js';

export interface ConsumerAppData extends types.AppData {
  peerId: string;
  transportId: string;
  producerPeerId: string;
  source: MediaSource;
}

export type RoomConsumer = types.Consumer<ConsumerAppData>;
