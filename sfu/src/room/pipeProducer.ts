import type { types } from 'mediasoup';
import type { RoomProducer } from './ProducerDirectory.js';

/** A producer of one room forwarded into another room's router (on any worker). */
export interface PipedProducer {
  /** The original producer. */
  readonly producerId: string;
  /** The copy in the target room (ids are unique per worker, and rooms share workers). */
  readonly copyId: string;
  readonly roomId: string;
  /** Stops forwarding: the copy in the target room closes, and its consumers with it. */
  close(): void;
}

/**
 * Pipes `producer` from `from` into `to` with mediasoup's pipeToRouter: a PipeTransport pair
 * between the routers (reused for every producer of the pair) carries it, and the target
 * router gets a copy with an id of its own, paused and resumed with the original.
 */
export async function pipeProducer(
  from: types.Router,
  to: types.Router,
  producer: RoomProducer,
): Promise<{ pipeConsumer: types.Consumer; pipeProducer: RoomProducer }> {
  const { pipeConsumer, pipeProducer } = await from.pipeToRouter({
    producerId: producer.id,
    router: to,
    keepId: false,
  });
  if (!pipeConsumer || !pipeProducer) throw new Error('pipeToRouter returned no producer');
  // The copy carries the original's appData so the target room knows who and what it is.
  Object.assign(pipeProducer.appData, producer.appData);
  return { pipeConsumer, pipeProducer: pipeProducer as RoomProducer };
}
