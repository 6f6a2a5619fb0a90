import type { types } from 'mediasoup';
import type { Room } from '../room/Room.js';
import type { RoomProducer } from '../room/ProducerDirectory.js';
import type { MediaKind, MediaSource, ProducerInfo } from '../types.js';

/** Where one end of a node-to-node pipe receives, and the keys it encrypts with. */
export interface PipeEndpoint {
  ip: string;
  port: number;
  srtpParameters?: types.SrtpParameters;
}

/** What the receiving node needs to recreate a producer (same id) behind its pipe end. */
export interface ExportedProducer {
  id: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
  rtpParameters: types.RtpParameters;
}

export interface NodePipeOptions {
  /** Address the pipe's UDP socket binds to. */
  listenIp: string;
  /** Address the other nodes send to (this node's address on the nodes' network). */
  announcedAddress: string | undefined;
  portRange: { min: number; max: number };
}

/**
 * One end of a PipeTransport pair between this node's router for a class and another node's:
 * what Router.pipeToRouter does inside one process, split in two halves so each node does its
 * own half and the endpoints travel between them (over Redis). SRTP encrypts the media on the
 * network between nodes, and RTX/NACK repair its losses (the pair is not on one host).
 */
export class NodePipe {
  private constructor(
    private readonly room: Room,
    private readonly transport: types.PipeTransport,
  ) {}

  static async open(room: Room, options: NodePipeOptions): Promise<NodePipe> {
    const transport = await room.createPipeTransport({
      listenInfo: {
        protocol: 'udp',
        ip: options.listenIp,
        announcedAddress: options.announcedAddress,
        portRange: options.portRange,
      },
      enableSrtp: true,
      enableRtx: true,
    });
    return new NodePipe(room, transport);
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  /** What the other node connects its end to. */
  get endpoint(): PipeEndpoint {
    const tuple = this.transport.tuple;
    return {
      ip: tuple.localAddress ?? tuple.localIp,
      port: tuple.localPort,
      srtpParameters: this.transport.srtpParameters,
    };
  }

  connect(remote: PipeEndpoint): Promise<void> {
    return this.transport.connect({
      ip: remote.ip,
      port: remote.port,
      srtpParameters: remote.srtpParameters,
    });
  }

  /**
   * Sends one of the room's producers down the pipe. The returned consumer follows the
   * producer (pause, resume, close): tell the other node when it does.
   */
  async exportProducer(
    info: ProducerInfo,
  ): Promise<{ params: ExportedProducer; consumer: types.Consumer }> {
    // A producer on another router of a room spread over workers is piped home first.
    await this.room.reachHome(info.id);
    const consumer = await this.transport.consume({ producerId: info.id });
    return {
      consumer,
      params: {
        id: info.id,
        peerId: info.peerId,
        kind: consumer.kind,
        source: info.source,
        paused: consumer.producerPaused,
        rtpParameters: consumer.rtpParameters,
      },
    };
  }

  /** The other node's producer, under the same id, becomes one of this room's. */
  async importProducer(params: ExportedProducer): Promise<RoomProducer> {
    const producer = (await this.transport.produce({
      id: params.id,
      kind: params.kind,
      rtpParameters: params.rtpParameters,
      paused: params.paused,
      appData: { peerId: params.peerId, source: params.source, transportId: this.transport.id },
    })) as RoomProducer;
    if (this.room.isClosed) {
      producer.close();
      throw new Error('the room closed while importing');
    }
    this.room.importProducer(producer, params.peerId);
    return producer;
  }

  /** Closes the pipe end; every producer imported through it closes (their consumers too). */
  close(): void {
    this.transport.close();
  }

  onClose(listener: () => void): void {
    this.transport.observer.once('close', listener);
  }
}
