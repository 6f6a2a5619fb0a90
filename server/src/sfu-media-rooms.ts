import type { ConsumeResult, ProducerInfo, TransportStats } from '@educloud/protocol';
import { AckError, type MediaRoom, type MediaRooms, type PipedProducer } from '@educloud/signaling';
import { SfuError, type Room, type Sfu } from '@educloud/sfu';

/** Turns the SFU's refusals into acks the client understands; anything else propagates. */
async function asAck<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SfuError) throw new AckError(err.code, err.message);
    throw err;
  }
}

/** Adapts one SFU Room to the MediaRoom port signaling speaks to. */
class SfuMediaRoom implements MediaRoom {
  constructor(private readonly room: Room) {}

  get rtpCapabilities() {
    return this.room.rtpCapabilities as unknown as Record<string, unknown>;
  }

  createWebRtcTransport(peerId: string, direction: 'send' | 'recv') {
    return asAck(async () => {
      const t = await this.room.join(peerId).createWebRtcTransport({ direction });
      return {
        id: t.id,
        iceParameters: t.iceParameters as unknown as Record<string, unknown>,
        iceCandidates: t.iceCandidates as unknown as Record<string, unknown>[],
        dtlsParameters: t.dtlsParameters as unknown as Record<string, unknown>,
      };
    });
  }

  connectTransport(peerId: string, transportId: string, dtlsParameters: unknown) {
    return asAck(() =>
      this.room.peer(peerId).connectTransport(transportId, dtlsParameters as never),
    );
  }

  restartIce(peerId: string, transportId: string) {
    return asAck(
      async () =>
        (await this.room.peer(peerId).restartIce(transportId)) as unknown as Record<
          string,
          unknown
        >,
    );
  }

  transportStats(peerId: string, transportId: string): Promise<TransportStats> {
    return asAck(async () => {
      const s = await this.room.peer(peerId).getTransportStats(transportId);
      const scores = [
        ...s.producers.flatMap((p) => p.scores),
        ...s.consumers.map((c) => Math.min(c.score, c.producerScore)),
      ];
      return {
        rttMs: null,
        recvBitrate: s.recvBitrate,
        sendBitrate: s.sendBitrate,
        score: scores.length ? Math.min(...scores) : null,
      };
    });
  }

  produce(
    peerId: string,
    transportId: string,
    p: { kind: 'audio' | 'video'; rtpParameters: unknown; source: string },
  ) {
    return asAck(async () => {
      const { id } = await this.room.peer(peerId).produce({
        transportId,
        kind: p.kind,
        rtpParameters: p.rtpParameters as never,
        source: p.source as never,
      });
      return id;
    });
  }

  setProducerPaused(peerId: string, producerId: string, paused: boolean) {
    return asAck(() =>
      paused
        ? this.room.peer(peerId).pauseProducer(producerId)
        : this.room.peer(peerId).resumeProducer(producerId),
    );
  }

  closeProducer(peerId: string, producerId: string) {
    return asAck(() => this.room.peer(peerId).closeProducer(producerId));
  }

  consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: unknown,
  ): Promise<ConsumeResult> {
    return asAck(async () => {
      const c = await this.room.peer(peerId).consume({
        transportId,
        producerId,
        rtpCapabilities: rtpCapabilities as never,
      });
      return {
        consumerId: c.id,
        producerId: c.producerId,
        kind: c.kind,
        rtpParameters: c.rtpParameters as unknown as Record<string, unknown>,
        type: c.type,
        producerPaused: c.producerPaused,
      };
    });
  }

  resumeConsumer(peerId: string, consumerId: string) {
    return asAck(() => this.room.peer(peerId).resumeConsumer(consumerId));
  }

  setPreferredLayers(
    peerId: string,
    consumerId: string,
    spatialLayer: number,
    temporalLayer?: number,
  ) {
    return asAck(() =>
      this.room.peer(peerId).setPreferredLayers(consumerId, { spatialLayer, temporalLayer }),
    );
  }

  createRtpInput(
    peerId: string,
    p: { kind: 'audio' | 'video'; rtpParameters: unknown; source: string },
  ) {
    return asAck(async () => {
      const peer = this.room.join(peerId);
      const t = await peer.createPlainProducerTransport();
      const { id } = await peer.produce({
        transportId: t.id,
        kind: p.kind,
        rtpParameters: p.rtpParameters as never,
        source: p.source as never,
      });
      return { producerId: id, ip: t.ip, port: t.port, rtcpPort: t.rtcpPort };
    });
  }

  setPinned(peerId: string, pinned: boolean) {
    if (!this.room.isClosed) this.room.setPinned(peerId, pinned);
  }

  setVisible(peerId: string, peerIds: string[]) {
    if (!this.room.isClosed) this.room.setVisible(peerId, peerIds);
  }

  removePeer(peerId: string) {
    this.room.leave(peerId);
  }

  close() {
    this.room.close();
  }

  onConsumerClosed(listener: (peerId: string, consumerId: string) => void) {
    this.room.on('consumerClosed', (e) => listener(e.peerId, e.consumerId));
  }

  onProducerClosed(listener: (peerId: string, producerId: string) => void) {
    this.room.on('producerClosed', (e) => listener(e.peerId, e.producerId));
  }

  onRemoteProducer(listener: (info: ProducerInfo) => void) {
    // Piping starts as the room opens: what arrived before anyone listened comes first.
    for (const p of this.room.listImportedProducers()) {
      listener({
        producerId: p.id,
        peerId: p.peerId,
        kind: p.kind,
        source: p.source,
        paused: p.paused,
      });
    }
    this.room.on('producerImported', (p) =>
      listener({
        producerId: p.id,
        peerId: p.peerId,
        kind: p.kind,
        source: p.source,
        paused: p.paused,
      }),
    );
  }

  onRemoteProducerPaused(listener: (producerId: string, paused: boolean) => void) {
    this.room.on('importedPaused', (e) => listener(e.producerId, e.paused));
  }

  onActiveSpeaker(listener: (peerId: string | null) => void) {
    this.room.on('activeSpeaker', (e) => listener(e.peerId));
  }

  onVideoSelection(listener: (peerId: string, peerIds: string[]) => void) {
    this.room.on('videoSelection', (e) => listener(e.peerId, e.peerIds));
  }

  onVideoLayers(
    listener: (peerId: string, producerId: string, maxSpatialLayer: number | null) => void,
  ) {
    this.room.on('videoLayers', (e) => listener(e.peerId, e.producerId, e.maxSpatialLayer));
  }

  onPeersLost(listener: (peerIds: string[]) => void) {
    this.room.on('peersLost', (e) => listener(e.peerIds));
  }

  onLost(listener: () => void) {
    this.room.on('close', (e) => {
      if (e.reason === 'workerDied') listener();
    });
  }
}

/** The SFU rooms of each live class (main and breakouts), each on the least loaded worker. */
export class SfuMediaRooms implements MediaRooms {
  constructor(
    private readonly sfu: Sfu,
    /** With several nodes: links the class's room to its other nodes (server/src/nodes). */
    private readonly onMainOpened?: (classId: string, room: Room) => Promise<void>,
  ) {}

  async open(classId: string): Promise<MediaRoom> {
    const room = await asAck(() => this.sfu.classRooms(classId).openMain());
    await this.onMainOpened?.(classId, room);
    return new SfuMediaRoom(room);
  }

  async capabilities(): Promise<Record<string, unknown>> {
    return (await asAck(() => this.sfu.routerRtpCapabilities())) as unknown as Record<
      string,
      unknown
    >;
  }

  async openBreakout(classId: string, breakoutId: string): Promise<MediaRoom> {
    return new SfuMediaRoom(
      await asAck(() => this.sfu.classRooms(classId).openBreakout(breakoutId)),
    );
  }

  closeBreakouts(classId: string): void {
    this.sfu.findClass(classId)?.closeBreakouts();
  }

  pipeToBreakouts(classId: string, producerId: string): Promise<PipedProducer[]> {
    return asAck(async () => {
      const pipes = await this.sfu.classRooms(classId).pipeToBreakouts(producerId);
      return pipes.map((p) => ({ roomId: p.roomId, producerId: p.copyId }));
    });
  }

  unpipeFromBreakouts(classId: string, producerId: string): void {
    this.sfu.findClass(classId)?.unpipe(producerId);
  }
}
