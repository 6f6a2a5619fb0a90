import type { types } from 'mediasoup';
import type { ProducerAppData, ProducerInfo } from '../types.js';

export type RoomProducer = types.Producer<ProducerAppData & { transportId: string }>;

export interface ProducerEntry {
  producer: RoomProducer;
  peerId: string;
  /** The router of the room it lives on (a room spread over workers has several). */
  router?: types.Router;
}

/** Every producer of one room, by id, with the peer that owns it: what peers may consume. */
export class ProducerDirectory {
  private readonly byId = new Map<string, ProducerEntry>();

  add(producer: RoomProducer, peerId: string, router?: types.Router): void {
    this.byId.set(producer.id, { producer, peerId, router });
  }

  delete(producerId: string): void {
    this.byId.delete(producerId);
  }

  get(producerId: string): ProducerEntry | undefined {
    return this.byId.get(producerId);
  }

  /** Camera producers in the order they started (last-N fills with them before anyone spoke). */
  cameras(): ProducerEntry[] {
    return [...this.byId.values()].filter(
      (e) => e.producer.kind === 'video' && e.producer.appData.source === 'camera',
    );
  }

  /** For a peer that just joined (minus its own with `exceptPeerId`). */
  list(exceptPeerId?: string): ProducerInfo[] {
    const list: ProducerInfo[] = [];
    for (const { producer, peerId } of this.byId.values()) {
      if (peerId !== exceptPeerId) list.push(producerInfo(producer, peerId));
    }
    return list;
  }
}

export function producerInfo(producer: RoomProducer, peerId: string): ProducerInfo {
  return {
    id: producer.id,
    peerId,
    kind: producer.kind,
    source: producer.appData.source,
    paused: producer.paused,
  };
}
