import type { types } from 'mediasoup';
import { SfuError } from './errors.js';

/**
 * What one participant owns in a room. Everything is closed together when the peer leaves;
 * entries are removed by the room as mediasoup reports each object closed, whatever the cause.
 */
export class Peer {
  readonly transports = new Map<string, types.Transport>();
  readonly producers = new Map<string, types.Producer>();
  readonly consumers = new Map<string, types.Consumer>();
  private left = false;

  constructor(readonly id: string) {}

  get hasLeft(): boolean {
    return this.left;
  }

  transport(transportId: string): types.Transport {
    return this.lookup(this.transports, transportId, 'transport');
  }

  producer(producerId: string): types.Producer {
    return this.lookup(this.producers, producerId, 'producer');
  }

  consumer(consumerId: string): types.Consumer {
    return this.lookup(this.consumers, consumerId, 'consumer');
  }

  /** Closing a transport closes its producers and consumers too. */
  close(): void {
    this.left = true;
    for (const transport of [...this.transports.values()]) transport.close();
  }

  // An id owned by another peer is reported like an unknown one: peers learn nothing about
  // each other's objects through errors.
  private lookup<T>(map: Map<string, T>, id: string, what: string): T {
    const value = map.get(id);
    if (!value) throw new SfuError('not_found', `${what} ${id} not found for peer ${this.id}`);
    return value;
  }
}
