import type { types } from 'mediasoup';
import { SfuError } from '../errors.js';
import type { ProduceRequest } from '../types.js';
import { asClientError } from './clientError.js';
import type { RoomProducer } from './ProducerDirectory.js';
import { checkSourceKind } from './sourceKinds.js';

/** A producer on `transport`; one per source and kind a peer (a second camera is a conflict). */
export async function createProducer(
  peerId: string,
  transport: types.Transport,
  existing: Iterable<RoomProducer>,
  request: ProduceRequest,
): Promise<RoomProducer> {
  const { kind, rtpParameters, source } = request;
  checkSourceKind(source, kind);
  for (const producer of existing) {
    if (producer.appData.source === source && producer.kind === kind) {
      throw new SfuError('conflict', `peer ${peerId} already produces ${source} ${kind}`);
    }
  }
  try {
    return await transport.produce({
      kind,
      rtpParameters,
      paused: request.paused ?? false,
      appData: { peerId, source, transportId: transport.id },
    });
  } catch (error) {
    throw asClientError(error, 'produce failed');
  }
}
