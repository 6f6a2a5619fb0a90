import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { SfuError } from '../errors.js';
import type {
  ConsumeRequest,
  ConsumerInfo,
  ConsumerLayers,
  DtlsParameters,
  IceParameters,
  MediaSource,
  PlainRemoteAddress,
  PlainTransportInfo,
  PlainTransportOptions,
  ProduceRequest,
  ProducerInfo,
  TransportStats,
  WebRtcTransportInfo,
  WebRtcTransportOptions,
} from '../types.js';
import { asClientError } from './clientError.js';
import { consumeProducer } from './consume.js';
import type { RoomConsumer } from './consumerAppData.js';
import { createProducer } from './produce.js';
import { producerInfo, type RoomProducer } from './ProducerDirectory.js';
import type { RoomContext } from './RoomContext.js';
import { openPlainTransport, openWebRtcTransport } from './transports.js';
import { transportStats } from './transportStats.js';

export type PeerEvents = {
  /** A producer of this peer is ready to be consumed (a recorder follows these). */
  producerAdded: [ProducerInfo];
  /** Whatever the cause (closed by the peer, its transport closed, the peer left). */
  producerClosed: [{ producerId: string; source: MediaSource }];
  /** The consumed producer went away. */
  consumerClosed: [{ consumerId: string; producerId: string }];
};

/**
 * One participant of a room and the transports, producers and consumers it owns. Everything is
 * closed together when the peer leaves; entries are removed as mediasoup reports each object
 * closed, whatever the cause.
 */
export class Peer extends EventEmitter<PeerEvents> {
  private readonly transports = new Map<string, types.Transport>();
  private readonly producers = new Map<string, RoomProducer>();
  private readonly consumers = new Map<string, RoomConsumer>();
  private left = false;

  constructor(
    readonly id: string,
    private readonly room: RoomContext,
  ) {
    super();
  }

  get hasLeft(): boolean {
    return this.left;
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  /** Bits per second through the peer's transports (in: from the client). */
  async bitrates(): Promise<{ in: number; out: number }> {
    const rates = { in: 0, out: 0 };
    await Promise.all(
      [...this.transports.values()].map(async (t) => {
        const [stat] = (await t.getStats().catch(() => [])) as {
          recvBitrate?: number;
          sendBitrate?: number;
        }[];
        rates.in += stat?.recvBitrate ?? 0;
        rates.out += stat?.sendBitrate ?? 0;
      }),
    );
    return rates;
  }

  async createWebRtcTransport(options: WebRtcTransportOptions = {}): Promise<WebRtcTransportInfo> {
    const transport = await openWebRtcTransport(this.room, this.id, options);
    this.adoptTransport(transport);
    const { maxIncomingBitrate } = this.room.options;
    if (maxIncomingBitrate > 0 && options.direction !== 'recv') {
      await transport.setMaxIncomingBitrate(maxIncomingBitrate);
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /** A plain RTP transport (for the RTMP bridge the peer is a synthetic `ingest:<key>`). */
  async createPlainTransport(options: PlainTransportOptions = {}): Promise<PlainTransportInfo> {
    const transport = await openPlainTransport(this.room, this.id, options);
    this.adoptTransport(transport);
    return {
      id: transport.id,
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort,
    };
  }

  /** The RTMP bridge's entry: ffmpeg sends to it, the transport learns ffmpeg's address. */
  createPlainProducerTransport(
    options: Omit<PlainTransportOptions, 'comedia' | 'rtcpMux'> &
      Partial<Pick<PlainTransportOptions, 'comedia' | 'rtcpMux'>> = {},
  ): Promise<PlainTransportInfo> {
    return this.createPlainTransport({ rtcpMux: false, comedia: true, ...options });
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const transport = this.webRtcTransport(transportId);
    try {
      await transport.connect({ dtlsParameters });
    } catch (error) {
      throw asClientError(error, 'connect failed');
    }
  }

  /** Where a plain transport without comedia sends its RTP (a recorder, a benchmark sink). */
  async connectPlainTransport(transportId: string, remote: PlainRemoteAddress): Promise<void> {
    const transport = this.transport(transportId);
    if (transport.type !== 'plain') {
      throw new SfuError('validation_failed', `transport ${transportId} is not a plain transport`);
    }
    try {
      await (transport as types.PlainTransport).connect(remote);
    } catch (error) {
      throw asClientError(error, 'connect failed');
    }
  }

  restartIce(transportId: string): Promise<IceParameters> {
    return this.webRtcTransport(transportId).restartIce();
  }

  getTransportStats(transportId: string): Promise<TransportStats> {
    return transportStats(
      this.transport(transportId),
      this.producers.values(),
      this.consumers.values(),
    );
  }

  async produce(request: ProduceRequest): Promise<{ id: string }> {
    const transport = this.transport(request.transportId);
    const producer = await createProducer(this.id, transport, this.producers.values(), request);
    this.adoptProducer(producer);
    const { kind, source } = request;
    if (kind === 'audio' && source === 'mic') await this.room.speaker.add(producer.id);
    this.room.logger.debug(
      { peerId: this.id, producerId: producer.id, kind, source },
      'producer created',
    );
    if (!this.left) this.emit('producerAdded', producerInfo(producer, this.id));
    return { id: producer.id };
  }

  pauseProducer(producerId: string): Promise<void> {
    return this.producer(producerId).pause();
  }

  resumeProducer(producerId: string): Promise<void> {
    return this.producer(producerId).resume();
  }

  closeProducer(producerId: string): void {
    this.producer(producerId).close();
  }

  /** Raw mediasoup stats of a producer (packet counts, bitrates per encoding). */
  getProducerStats(producerId: string): Promise<types.ProducerStat[]> {
    return this.producer(producerId).getStats();
  }

  /** Starts paused: the client resumes it once its consumer is set up. */
  async consume(request: ConsumeRequest): Promise<ConsumerInfo> {
    const transport = this.transport(request.transportId);
    const { consumer, info } = await consumeProducer(this.room, this.id, transport, request);
    this.adoptConsumer(consumer);
    return info;
  }

  /** A camera flows only if last-N selects it (the room resumes it when it does). */
  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.consumer(consumerId);
    if (this.room.video.isGated(consumer)) this.room.video.clientResumed(consumer);
    else await consumer.resume();
  }

  /** Simulcast / SVC: the highest layers this client wants (e.g. a thumbnail wants 0). */
  async setPreferredLayers(consumerId: string, layers: ConsumerLayers): Promise<void> {
    const consumer = this.consumer(consumerId);
    const valid = (value: number | undefined) =>
      value === undefined || (Number.isInteger(value) && value >= 0);
    if (!Number.isInteger(layers?.spatialLayer) || !valid(layers.spatialLayer)) {
      throw new SfuError('validation_failed', 'spatialLayer must be an integer >= 0');
    }
    if (!valid(layers.temporalLayer)) {
      throw new SfuError('validation_failed', 'temporalLayer must be an integer >= 0');
    }
    await consumer.setPreferredLayers(layers);
    this.room.video.layersChanged(consumer.producerId);
  }

  /** Asks the consumed producer's sender for a key frame (a recorder starting a segment). */
  requestKeyFrame(consumerId: string): Promise<void> {
    return this.consumer(consumerId).requestKeyFrame();
  }

  /**
   * When (epoch ms) the consumer first sends a key frame, or null if it closes before one: a
   * recorded video file begins there, which is later than its consumer's resume when the
   * sender is slow to answer the request (or ignores it). Call before resuming.
   */
  firstKeyFrameSent(consumerId: string): Promise<number | null> {
    const consumer = this.consumer(consumerId);
    return new Promise((resolve) => {
      const done = (at: number | null) => {
        consumer.off('trace', onTrace);
        consumer.observer.off('close', onClose);
        if (!consumer.closed) void consumer.enableTraceEvent([]).catch(() => undefined);
        resolve(at);
      };
      const onTrace = (trace: types.ConsumerTraceEventData) => {
        if (trace.type === 'keyframe' && trace.direction === 'out') done(Date.now());
      };
      const onClose = () => done(null);
      consumer.on('trace', onTrace);
      consumer.observer.once('close', onClose);
      void consumer.enableTraceEvent(['keyframe']).catch(() => done(null));
    });
  }

  /** Closes one transport, and the producers and consumers on it. */
  closeTransport(transportId: string): void {
    this.transport(transportId).close();
  }

  /** Closing a transport closes its producers and consumers too. */
  close(): void {
    this.left = true;
    for (const transport of [...this.transports.values()]) transport.close();
  }

  private webRtcTransport(transportId: string): types.WebRtcTransport {
    const transport = this.transport(transportId);
    if (transport.type !== 'webrtc') {
      throw new SfuError('validation_failed', `transport ${transportId} is not a WebRTC transport`);
    }
    return transport as types.WebRtcTransport;
  }

  private transport(transportId: string): types.Transport {
    return this.lookup(this.transports, transportId, 'transport');
  }

  private producer(producerId: string): RoomProducer {
    return this.lookup(this.producers, producerId, 'producer');
  }

  private consumer(consumerId: string): RoomConsumer {
    return this.lookup(this.consumers, consumerId, 'consumer');
  }

  // An id owned by another peer is reported like an unknown one: peers learn nothing about
  // each other's objects through errors.
  private lookup<T>(map: Map<string, T>, id: string, what: string): T {
    const value = map.get(id);
    if (!value) throw new SfuError('not_found', `${what} ${id} not found for peer ${this.id}`);
    return value;
  }

  /** Closes what arrives after the peer left (or the room closed) while it was being made. */
  private refuseIfGone(object: { close(): void }): void {
    if (this.left || this.room.isClosed()) {
      object.close();
      throw new SfuError('not_found', `peer ${this.id} left`);
    }
  }

  private adoptTransport(transport: types.Transport): void {
    this.refuseIfGone(transport);
    const { poolWorker } = this.room;
    this.transports.set(transport.id, transport);
    poolWorker.counts.transports++;
    poolWorker.transports.add(transport);
    transport.observer.once('close', () => {
      this.transports.delete(transport.id);
      poolWorker.counts.transports--;
      poolWorker.transports.delete(transport);
    });
  }

  private adoptProducer(producer: RoomProducer): void {
    this.refuseIfGone(producer);
    const { poolWorker, producers } = this.room;
    this.producers.set(producer.id, producer);
    producers.add(producer, this.id, this.room.router);
    poolWorker.counts.producers++;
    producer.observer.once('close', () => {
      this.producers.delete(producer.id);
      producers.delete(producer.id);
      poolWorker.counts.producers--;
      this.emit('producerClosed', { producerId: producer.id, source: producer.appData.source });
    });
  }

  private adoptConsumer(consumer: RoomConsumer): void {
    this.refuseIfGone(consumer);
    const { poolWorker } = this.room;
    this.consumers.set(consumer.id, consumer);
    this.room.video.track(consumer);
    poolWorker.counts.consumers++;
    consumer.observer.once('close', () => {
      this.consumers.delete(consumer.id);
      poolWorker.counts.consumers--;
    });
    consumer.on('producerclose', () => {
      if (!this.left) {
        this.emit('consumerClosed', { consumerId: consumer.id, producerId: consumer.producerId });
      }
    });
  }
}
