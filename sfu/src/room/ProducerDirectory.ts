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
