import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ProducerDirectory } from './ProducerDirectory.js';

export type ActiveSpeakerEvents = {
  activeSpeaker: [{ peerId: string; producerId: string }];
};

/**
 * The room's dominant speaker among its microphones (mediasoup's ActiveSpeakerObserver), and,
 * without waiting on the observer, the one microphone left on when every other is muted.
 */
export class ActiveSpeaker extends EventEmitter<ActiveSpeakerEvents> {
  /** Microphones in the observer that are on (not paused): who could be speaking. */
  private readonly unmuted = new Set<string>();
  /** The producer last named: the observer names it again once it catches up. */
  private named: string | null = null;

  constructor(
    private readonly observer: types.ActiveSpeakerObserver,
    private readonly producers: ProducerDirectory,
    private readonly logger: Logger,
  ) {
    super();
    observer.on('dominantspeaker', ({ producer }) => this.name(producer.id));
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
    const leave = () => {
      this.unmuted.delete(producerId);
      void this.observer.removeProducer({ producerId }).catch(() => undefined);
      this.nameIfAlone();
    };
    const join = () => {
      this.unmuted.add(producerId);
      void this.observer.addProducer({ producerId }).catch(() => undefined);
      this.nameIfAlone();
    };
    producer.observer.on('pause', leave);
    producer.observer.on('resume', join);
    producer.observer.once('close', () => {
      producer.observer.off('pause', leave);
      producer.observer.off('resume', join);
      this.unmuted.delete(producerId);
      if (this.named === producerId) this.named = null;
      this.nameIfAlone();
    });
    if (producer.paused) leave();
    else {
      this.unmuted.add(producerId);
      this.nameIfAlone();
    }
  }

  /**
   * The observer names a speaker only at its next interval, and only after hearing enough of
   * them; with one microphone on, nobody else can be speaking: a hand-over (one mutes as the
   * next unmutes) names the next speaker the moment the other is muted.
   */
  private nameIfAlone(): void {
    if (this.unmuted.size !== 1) return;
    const [producerId] = this.unmuted;
    this.name(producerId!);
  }

  private name(producerId: string): void {
    if (this.named === producerId) return;
    const entry = this.producers.get(producerId);
    if (!entry) return;
    this.named = producerId;
    this.emit('activeSpeaker', { peerId: entry.peerId, producerId });
  }
}
