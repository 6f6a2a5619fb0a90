import type { types } from 'mediasoup';
import { SfuError } from '../errors.js';
import type { ConsumeRequest, ConsumerInfo } from '../types.js';
import { asClientError } from './clientError.js';
import type { ConsumerAppData, RoomConsumer } from './consumerAppData.js';
import type { RoomContext } from './RoomContext.js';

/**
 * A consumer of one of the room's producers on `transport`. Starts paused: the client resumes
 * it once its consumer is set up (no early keyframe lost).
 */
export async function consumeProducer(
  room: RoomContext,
  peerId: string,
  transport: types.Transport,
  request: ConsumeRequest,
): Promise<{ consumer: RoomConsumer; info: ConsumerInfo }> {
  const entry = room.producers.get(request.producerId);
  if (!entry) throw new SfuError('not_found', `producer ${request.producerId} not found`);
  const { producer } = entry;
  // On a room spread over workers the producer may live on another router: pipe it here.
  await room.reach(producer.id);
  if (
    !room.router.canConsume({ producerId: producer.id, rtpCapabilities: request.rtpCapabilities })
  ) {
    throw new SfuError(
      'validation_failed',
      `the client cannot receive producer ${producer.id} (no matching codec)`,
    );
  }
  const appData: ConsumerAppData = {
    peerId,
    transportId: transport.id,
    producerPeerId: entry.peerId,
    source: producer.appData.source,
  };
  let consumer: RoomConsumer;
  try {
    consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: request.rtpCapabilities,
      paused: true,
      appData,
    });
  } catch (error) {
    throw asClientError(error, 'consume failed');
  }
  return {
    consumer,
    info: {
      id: consumer.id,
      producerId: producer.id,
      peerId: entry.peerId,
      source: appData.source,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    },
  };
}
