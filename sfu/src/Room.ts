import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { SfuError } from './errors.js';
import { mediaCodecs } from './mediaCodecs.js';
import type { ResolvedSfuOptions } from './options.js';
import { Peer } from './Peer.js';
import type { PoolWorker } from './PoolWorker.js';
import {
  mediaSources,
  type ConsumeRequest,
  type ConsumerInfo,
  type ConsumerLayers,
  type ConsumerScore,
  type DtlsParameters,
  type IceParameters,
  type MediaKind,
  type MediaSource,
  type PlainRemoteAddress,
  type PlainTransportInfo,
  type PlainTransportOptions,
  type ProduceRequest,
  type ProducerAppData,
  type ProducerInfo,
  type RtpCapabilities,
  type TransportStats,
  type WebRtcTransportInfo,
  type WebRtcTransportOptions,
} from './types.js';

export type RoomCloseReason = 'closed' | 'workerDied';

export type RoomEvents = {
  /** The room is gone. After 'workerDied' its clients must reconnect to a rebuilt room. */
  close: [{ roomId: string; reason: RoomCloseReason }];
  peerLeft: [{ peerId: string }];
  /** Tell the other peers so they can consume it. */
  producerAdded: [ProducerInfo];
  /** Whatever the cause (closed by its peer, transport closed, peer left). */
  producerClosed: [{ peerId: string; producerId: string; source: MediaSource }];
  producerPaused: [ProducerInfo];
  producerResumed: [ProducerInfo];
  /** The consumed producer went away: tell the consuming peer (`peerId`). */
  consumerClosed: [{ peerId: string; consumerId: string; producerId: string }];
  /** The producer behind the consumer paused / resumed. */
  consumerPaused: [{ peerId: string; consumerId: string }];
  consumerResumed: [{ peerId: string; consumerId: string }];
  /** Simulcast/SVC layers actually forwarded changed (null: none). */
  consumerLayersChanged: [{ peerId: string; consumerId: string; layers: ConsumerLayers | null }];
  consumerScore: [{ peerId: string; consumerId: string; score: ConsumerScore }];
  activeSpeaker: [{ peerId: string; producerId: string }];
  transportStateChanged: [
    {
      peerId: string;
      transportId: string;
      iceState?: types.IceState;
      dtlsState?: types.DtlsState;
    },
  ];
};

/** Which kind each source may carry. */
const sourceKinds: Record<MediaSource, readonly MediaKind[]> = {
  camera: ['video'],
  screen: ['video'],
  mic: ['audio'],
  screenAudio: ['audio'],
  ingest: ['audio', 'video'],
};

interface TransportAppData extends types.AppData {
  peerId: string;
  direction?: 'send' | 'recv';
}

interface ConsumerAppData extends types.AppData {
  peerId: string;
  transportId: string;
  producerPeerId: string;
  source: MediaSource;
}

interface ProducerEntry {
  producer: types.Producer<ProducerAppData & { transportId: string }>;
  peer: Peer;
}

/** mediasoup reports bad client input as TypeError / UnsupportedError. */
function asClientError(error: unknown, what: string): unknown {
  if (error instanceof TypeError || (error instanceof Error && error.name === 'UnsupportedError')) {
    return new SfuError('validation_failed', `${what}: ${error.message}`, { cause: error });
  }
  return error;
}

/** One live class: a mediasoup Router on one worker, with its peers and their media. */
export class Room extends EventEmitter<RoomEvents> {
  private readonly peers = new Map<string, Peer>();
  private readonly producers = new Map<string, ProducerEntry>();
  private closed = false;

  private constructor(
    readonly id: string,
    private readonly poolWorker: PoolWorker,
    private readonly router: types.Router,
    private readonly speakerObserver: types.ActiveSpeakerObserver,
    private readonly options: ResolvedSfuOptions,
    private readonly logger: Logger,
  ) {
    super();
    poolWorker.counts.routers++;
    poolWorker.roomIds.add(id);
    router.observer.once('close', () => poolWorker.counts.routers--);
    router.once('workerclose', () => this.onWorkerClosed());
    speakerObserver.on('dominantspeaker', ({ producer }) => {
      const entry = this.producers.get(producer.id);
      if (entry && !this.closed) {
        this.emit('activeSpeaker', { peerId: entry.peer.id, producerId: producer.id });
      }
    });
  }

  static async create(
    id: string,
    poolWorker: PoolWorker,
    options: ResolvedSfuOptions,
  ): Promise<Room> {
    const router = await poolWorker.worker.createRouter({ mediaCodecs, appData: { roomId: id } });
    try {
      const speakerObserver = await router.createActiveSpeakerObserver({
        interval: options.activeSpeakerIntervalMs,
      });
      const logger = poolWorker.logger.child({ room: id });
      logger.info({ routerId: router.id }, 'room created');
      return new Room(id, poolWorker, router, speakerObserver, options, logger);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** What clients load their mediasoup-client Device with. */
  get rtpCapabilities(): RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  get workerIndex(): number {
    return this.poolWorker.index;
  }

  get workerPid(): number {
    return this.poolWorker.pid;
  }

  get peerIds(): string[] {
    return [...this.peers.keys()];
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Idempotent: joining again keeps what the peer already has. */
  join(peerId: string): void {
    this.assertOpen();
    if (typeof peerId !== 'string' || peerId === '') {
      throw new SfuError('validation_failed', 'peerId must be a non-empty string');
    }
    if (!this.peers.has(peerId)) this.peers.set(peerId, new Peer(peerId));
  }

  /** Closes everything the peer owns; the others get producerClosed / consumerClosed. */
  leave(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.close();
    this.logger.debug({ peerId }, 'peer left');
    if (!this.closed) this.emit('peerLeft', { peerId });
  }

  hasPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  /** Producers of the room, for a peer that just joined (minus its own with `exceptPeerId`). */
  listProducers(exceptPeerId?: string): ProducerInfo[] {
    const list: ProducerInfo[] = [];
    for (const { producer, peer } of this.producers.values()) {
      if (peer.id !== exceptPeerId) list.push(this.producerInfo(producer, peer));
    }
    return list;
  }

  async createWebRtcTransport(
    peerId: string,
    options: WebRtcTransportOptions = {},
  ): Promise<WebRtcTransportInfo> {
    const peer = this.peer(peerId);
    const appData: TransportAppData = { peerId, direction: options.direction };
    const transport = await this.router.createWebRtcTransport({
      webRtcServer: this.poolWorker.webRtcServer,
      enableUdp: true,
      enableTcp: this.options.enableTcp,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.options.initialAvailableOutgoingBitrate,
      appData,
    });
    this.adopt(peer, transport);
    if (this.options.maxIncomingBitrate > 0 && options.direction !== 'recv') {
      await transport.setMaxIncomingBitrate(this.options.maxIncomingBitrate);
    }
    transport.on('icestatechange', (iceState) => {
      if (!this.closed) {
        this.emit('transportStateChanged', { peerId, transportId: transport.id, iceState });
      }
    });
    transport.on('dtlsstatechange', (dtlsState) => {
      if (dtlsState === 'failed')
        this.logger.warn({ peerId, transportId: transport.id }, 'DTLS failed');
      if (!this.closed) {
        this.emit('transportStateChanged', { peerId, transportId: transport.id, dtlsState });
      }
    });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(
    peerId: string,
    transportId: string,
    dtlsParameters: DtlsParameters,
  ): Promise<void> {
    const transport = this.webRtcTransport(peerId, transportId);
    try {
      await transport.connect({ dtlsParameters });
    } catch (error) {
      throw asClientError(error, 'connect failed');
    }
  }

  async restartIce(peerId: string, transportId: string): Promise<IceParameters> {
    return this.webRtcTransport(peerId, transportId).restartIce();
  }

  /**
   * A plain RTP transport owned by `peerId` (for the RTMP bridge a synthetic id such as
   * `ingest:<key>`). With ffmpeg keep `rtcpMux: false` and send RTCP to `rtcpPort`: with muxing
   * and comedia, ffmpeg's first packet is RTCP from another port and the transport locks onto it.
   */
  async createPlainTransport(
    peerId: string,
    options: PlainTransportOptions = {},
  ): Promise<PlainTransportInfo> {
    const peer = this.peer(peerId);
    const transport = await this.router.createPlainTransport({
      listenInfo: {
        protocol: 'udp',
        ip: options.listenIp ?? this.options.plainListenIp,
        portRange: { min: this.options.rtcMinPort, max: this.options.rtcMaxPort },
      },
      rtcpMux: options.rtcpMux ?? true,
      comedia: options.comedia ?? false,
      appData: { peerId } satisfies TransportAppData,
    });
    this.adopt(peer, transport);
    return {
      id: transport.id,
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort,
    };
  }

  /** The RTMP bridge's entry: ffmpeg sends to it, the transport learns ffmpeg's address. */
  createPlainProducerTransport(
    peerId: string,
    options: Omit<PlainTransportOptions, 'comedia' | 'rtcpMux'> &
      Partial<Pick<PlainTransportOptions, 'comedia' | 'rtcpMux'>> = {},
  ): Promise<PlainTransportInfo> {
    return this.createPlainTransport(peerId, { rtcpMux: false, comedia: true, ...options });
  }

  /** Where a plain transport without comedia sends its RTP (a recorder, a benchmark sink). */
  async connectPlainTransport(
    peerId: string,
    transportId: string,
    remote: PlainRemoteAddress,
  ): Promise<void> {
    const transport = this.peer(peerId).transport(transportId);
    if (transport.type !== 'plain') {
      throw new SfuError('validation_failed', `transport ${transportId} is not a plain transport`);
    }
    try {
      await (transport as types.PlainTransport).connect(remote);
    } catch (error) {
      throw asClientError(error, 'connect failed');
    }
  }

  async produce(peerId: string, request: ProduceRequest): Promise<{ id: string }> {
    const peer = this.peer(peerId);
    const { transportId, kind, rtpParameters, source } = request;
    if (!mediaSources.includes(source)) {
      throw new SfuError('validation_failed', `unknown source ${String(source)}`);
    }
    if (!sourceKinds[source].includes(kind)) {
      throw new SfuError('validation_failed', `a ${source} producer cannot carry ${kind}`);
    }
    for (const existing of peer.producers.values()) {
      const data = existing.appData as ProducerAppData;
      if (data.source === source && existing.kind === kind) {
        throw new SfuError('conflict', `peer ${peerId} already produces ${source} ${kind}`);
      }
    }
    const transport = peer.transport(transportId);
    let producer: types.Producer<ProducerAppData & { transportId: string }>;
    try {
      producer = await transport.produce({
        kind,
        rtpParameters,
        paused: request.paused ?? false,
        appData: { peerId, source, transportId },
      });
    } catch (error) {
      throw asClientError(error, 'produce failed');
    }
    if (this.closed || peer.hasLeft) {
      producer.close();
      throw new SfuError('not_found', `peer ${peerId} left`);
    }

    peer.producers.set(producer.id, producer);
    this.producers.set(producer.id, { producer, peer });
    this.poolWorker.counts.producers++;
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.producers.delete(producer.id);
      this.poolWorker.counts.producers--;
      if (!this.closed) {
        this.emit('producerClosed', { peerId, producerId: producer.id, source });
      }
    });
    if (kind === 'audio' && source === 'mic') {
      await this.speakerObserver
        .addProducer({ producerId: producer.id })
        .catch((error: unknown) => {
          this.logger.warn(
            { err: error, producerId: producer.id },
            'active speaker observer refused',
          );
        });
    }
    this.logger.debug({ peerId, producerId: producer.id, kind, source }, 'producer created');
    if (!this.closed && !producer.closed)
      this.emit('producerAdded', this.producerInfo(producer, peer));
    return { id: producer.id };
  }

  async pauseProducer(peerId: string, producerId: string): Promise<void> {
    const producer = this.peer(peerId).producer(producerId);
    await producer.pause();
    const entry = this.producers.get(producerId);
    if (entry && !this.closed) this.emit('producerPaused', this.producerInfo(producer, entry.peer));
  }

  async resumeProducer(peerId: string, producerId: string): Promise<void> {
    const producer = this.peer(peerId).producer(producerId);
    await producer.resume();
    const entry = this.producers.get(producerId);
    if (entry && !this.closed)
      this.emit('producerResumed', this.producerInfo(producer, entry.peer));
  }

  closeProducer(peerId: string, producerId: string): void {
    this.peer(peerId).producer(producerId).close();
  }

  /** Starts paused: the client resumes it once its consumer is set up (no early keyframe lost). */
  async consume(peerId: string, request: ConsumeRequest): Promise<ConsumerInfo> {
    const peer = this.peer(peerId);
    const transport = peer.transport(request.transportId);
    const entry = this.producers.get(request.producerId);
    if (!entry) throw new SfuError('not_found', `producer ${request.producerId} not found`);
    const { producer } = entry;
    if (
      !this.router.canConsume({
        producerId: producer.id,
        rtpCapabilities: request.rtpCapabilities,
      })
    ) {
      throw new SfuError(
        'validation_failed',
        `the client cannot receive producer ${producer.id} (no matching codec)`,
      );
    }
    const appData: ConsumerAppData = {
      peerId,
      transportId: transport.id,
      producerPeerId: entry.peer.id,
      source: producer.appData.source,
    };
    let consumer: types.Consumer<ConsumerAppData>;
    try {
      consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: request.rtpCapabilities,
        paused: true,
        appData,
      });
    } catch (error) {
      throw asClientError(error, 'consume failed');
    }
    if (this.closed || peer.hasLeft) {
      consumer.close();
      throw new SfuError('not_found', `peer ${peerId} left`);
    }
    this.adoptConsumer(peer, consumer);
    return {
      id: consumer.id,
      producerId: producer.id,
      peerId: entry.peer.id,
      source: appData.source,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.peer(peerId).consumer(consumerId).resume();
  }

  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.peer(peerId).consumer(consumerId).pause();
  }

  closeConsumer(peerId: string, consumerId: string): void {
    this.peer(peerId).consumer(consumerId).close();
  }

  /** Simulcast / SVC: the highest layers this client wants (e.g. a thumbnail wants 0). */
  async setPreferredLayers(
    peerId: string,
    consumerId: string,
    layers: ConsumerLayers,
  ): Promise<void> {
    const consumer = this.peer(peerId).consumer(consumerId);
    const valid = (value: number | undefined) =>
      value === undefined || (Number.isInteger(value) && value >= 0);
    if (!Number.isInteger(layers?.spatialLayer) || !valid(layers.spatialLayer)) {
      throw new SfuError('validation_failed', 'spatialLayer must be an integer >= 0');
    }
    if (!valid(layers.temporalLayer)) {
      throw new SfuError('validation_failed', 'temporalLayer must be an integer >= 0');
    }
    await consumer.setPreferredLayers(layers);
  }

  async requestKeyFrame(peerId: string, consumerId: string): Promise<void> {
    await this.peer(peerId).consumer(consumerId).requestKeyFrame();
  }

  closeTransport(peerId: string, transportId: string): void {
    this.peer(peerId).transport(transportId).close();
  }

  async getTransportStats(peerId: string, transportId: string): Promise<TransportStats> {
    const peer = this.peer(peerId);
    const transport = peer.transport(transportId);
    const [stat] = (await transport.getStats()) as (
      types.WebRtcTransportStat | types.PlainTransportStat
    )[];
    if (!stat) throw new SfuError('not_found', `no stats for transport ${transportId}`);
    const webRtc = 'iceState' in stat ? stat : undefined;
    const tuple = webRtc ? webRtc.iceSelectedTuple : (stat as types.PlainTransportStat).tuple;
    const producers: TransportStats['producers'] = [];
    for (const producer of peer.producers.values()) {
      const data = producer.appData as ProducerAppData & { transportId: string };
      if (data.transportId !== transportId) continue;
      producers.push({
        id: producer.id,
        source: data.source,
        scores: producer.score.map((s) => s.score),
      });
    }
    const consumers: TransportStats['consumers'] = [];
    for (const consumer of peer.consumers.values()) {
      if ((consumer.appData as ConsumerAppData).transportId !== transportId) continue;
      consumers.push({
        id: consumer.id,
        producerId: consumer.producerId,
        score: consumer.score.score,
        producerScore: consumer.score.producerScore,
      });
    }
    return {
      transportId,
      timestamp: stat.timestamp,
      iceState: webRtc?.iceState,
      dtlsState: webRtc?.dtlsState,
      protocol: tuple?.protocol,
      bytesReceived: stat.bytesReceived,
      bytesSent: stat.bytesSent,
      recvBitrate: stat.recvBitrate,
      sendBitrate: stat.sendBitrate,
      availableOutgoingBitrate: stat.availableOutgoingBitrate,
      rtpPacketLossReceived: stat.rtpPacketLossReceived,
      rtpPacketLossSent: stat.rtpPacketLossSent,
      producers,
      consumers,
    };
  }

  /** Raw mediasoup stats of a producer (packet counts, bitrates per encoding). */
  async getProducerStats(peerId: string, producerId: string): Promise<types.ProducerStat[]> {
    return this.peer(peerId).producer(producerId).getStats();
  }

  /** Closes the router and with it every transport, producer and consumer. */
  close(): void {
    if (this.closed) return;
    // Set first: closing the router closes every object, and those closes are not news to
    // anyone once the whole room goes.
    this.closed = true;
    this.router.close();
    this.cleanUp('closed');
  }

  private onWorkerClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.cleanUp('workerDied');
  }

  private cleanUp(reason: RoomCloseReason): void {
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    // After a crash the dead worker keeps the id, so the pool can report the rooms it held.
    if (reason === 'closed') this.poolWorker.roomIds.delete(this.id);
    if (reason === 'workerDied') this.logger.error('room lost: its worker died');
    else this.logger.info('room closed');
    this.emit('close', { roomId: this.id, reason });
  }

  private assertOpen(): void {
    if (this.closed) throw new SfuError('not_found', `room ${this.id} is closed`);
  }

  private peer(peerId: string): Peer {
    this.assertOpen();
    const peer = this.peers.get(peerId);
    if (!peer) throw new SfuError('not_found', `peer ${peerId} is not in room ${this.id}`);
    return peer;
  }

  private webRtcTransport(peerId: string, transportId: string): types.WebRtcTransport {
    const transport = this.peer(peerId).transport(transportId);
    if (transport.type !== 'webrtc') {
      throw new SfuError('validation_failed', `transport ${transportId} is not a WebRTC transport`);
    }
    return transport as types.WebRtcTransport;
  }

  /** Registers a new transport, or closes it if the peer left while it was being created. */
  private adopt(peer: Peer, transport: types.Transport): void {
    if (this.closed || peer.hasLeft) {
      transport.close();
      throw new SfuError('not_found', `peer ${peer.id} left`);
    }
    peer.transports.set(transport.id, transport);
    this.poolWorker.counts.transports++;
    this.poolWorker.transports.add(transport);
    transport.observer.once('close', () => {
      peer.transports.delete(transport.id);
      this.poolWorker.counts.transports--;
      this.poolWorker.transports.delete(transport);
    });
  }

  private adoptConsumer(peer: Peer, consumer: types.Consumer<ConsumerAppData>): void {
    const peerId = peer.id;
    const consumerId = consumer.id;
    peer.consumers.set(consumerId, consumer);
    this.poolWorker.counts.consumers++;
    consumer.observer.once('close', () => {
      peer.consumers.delete(consumerId);
      this.poolWorker.counts.consumers--;
    });
    consumer.on('producerclose', () => {
      if (!this.closed && !peer.hasLeft) {
        this.emit('consumerClosed', { peerId, consumerId, producerId: consumer.producerId });
      }
    });
    consumer.on('producerpause', () => {
      if (!this.closed) this.emit('consumerPaused', { peerId, consumerId });
    });
    consumer.on('producerresume', () => {
      if (!this.closed) this.emit('consumerResumed', { peerId, consumerId });
    });
    consumer.on('layerschange', (layers) => {
      if (!this.closed)
        this.emit('consumerLayersChanged', { peerId, consumerId, layers: layers ?? null });
    });
    consumer.on('score', (score) => {
      if (!this.closed) this.emit('consumerScore', { peerId, consumerId, score });
    });
  }

  private producerInfo(producer: types.Producer, peer: Peer): ProducerInfo {
    const data = producer.appData as ProducerAppData;
    return {
      id: producer.id,
      peerId: peer.id,
      kind: producer.kind,
      source: data.source,
      paused: producer.paused,
    };
  }
}
