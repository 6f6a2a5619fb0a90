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
    private readonly producers: ProducerDirectory,
    private readonly logger: Logger,
  ) {
    super();
    observer.on('dominantspeaker', ({ producer }) => {
      const entry = producers.get(producer.id);
      if (entry) this.emit('activeSpeaker', { peerId: entry.peerId, producerId: producer.id });
    });
  }

  /**
   * A refusal only costs the speaker highlight, never the producer. A muted microphone leaves
   * the observer until it is on again: a muted participant is never the active speaker, and
   * the observer replaces a dominant speaker only with a clearly louder voice, so one muted
   * while dominant could otherwise keep the place from the next speaker for many seconds.
   */
  async add(producerId: string): Promise<void> {
    const added = await this.observer.addProducer({ producerId }).then(
      () => true,
      (error: unknown) => {
        this.logger.warn({ err: error, producerId }, 'active speaker observer refused');
        return false;
      },
    );
    const producer = this.producers.get(producerId)?.producer;
    if (!added || !producer || producer.closed) return;
    // Requests reach the worker in order: a quick mute and unmute end with the producer in.
    const leave = () => void this.observer.removeProducer({ producerId }).catch(() => undefined);
    const join = () => void this.observer.addProducer({ producerId }).catch(() => undefined);
    producer.observer.on('pause', leave);
    producer.observer.on('resume', join);
    producer.observer.once('close', () => {
      producer.observer.off('pause', leave);
      producer.observer.off('resume', join);
    });
    if (producer.paused) leave();
  }
}
