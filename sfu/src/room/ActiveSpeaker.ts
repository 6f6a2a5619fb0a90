import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ProducerDirectory } from './ProducerDirectory.js';

export type ActiveSpeakerEvents = {
  activeSpeaker: [{ peerId: string; producerId: string }];
};

/** The room's dominant speaker among its microphones (mediasoup's ActiveSpeakerObserver). */
export class ActiveSpeaker extends EventEmitter<ActiveSpeakerEvents> {
  constructor(
    private readonly observer: types.ActiveSpeakerObserver,
    producers: ProducerDirectory,
    private readonly logger: Logger,
  ) {
    super();
    observer.on('dominantspeaker', ({ producer }) => {
      const entry = producers.get(producer.id);
      if (entry) this.emit('activeSpeaker', { peerId: entry.peerId, producerId: producer.id });
    });
  }

  /** A refusal only costs the speaker highlight, never the producer. */
  async add(producerId: string): Promise<void> {
    await this.observer.addProducer({ producerId }).catch((error: unknown) => {
      this.logger.warn({ err: error, producerId }, 'active speaker observer refused');
    });
  }
}
