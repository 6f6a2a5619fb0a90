import type { types } from 'mediasoup';
import type { ProducerAppData, ProducerInfo } from '../types.js';

export type RoomProducer = types.Producer<ProducerAppData & { transportId: string }>;

/** Every producer of one room, by id, with the peer that owns it: what peers may consume. */
export class ProducerDirectory {
  private readonly byId = new Map<string, { producer: RoomProducer; peerId: string }>();

  add(producer: RoomProducer, peerId: string): void {
    this.byId.set(producer.id, { producer, peerId });
  }

  delete(producerId: string): void {
    this.byId.delete(producerId);
  }

  get(producerId: string): { producer: RoomProducer; peerId: string } | undefined {
    return this.byId.get(producerId);
  }

  /** Camera producers in the order they started (last-N fills with them before anyone spoke). */
  cameras(): { producer: RoomProducer; peerId: string }[] {
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
