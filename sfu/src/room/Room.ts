import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { SfuError } from '../errors.js';
import { mediaCodecs } from '../mediaCodecs.js';
import type { ResolvedSfuOptions } from '../options.js';
import type { PoolWorker } from '../PoolWorker.js';
import type { MediaSource, ProducerInfo, RtpCapabilities } from '../types.js';
import { ActiveSpeaker } from './ActiveSpeaker.js';
import { Peer } from './Peer.js';
import { pipeProducer, type PipedProducer } from './pipeProducer.js';
import { ProducerDirectory, producerInfo, type RoomProducer } from './ProducerDirectory.js';
import type { RoomContext } from './RoomContext.js';
import { VideoSelection } from './VideoSelection.js';

export type RoomCloseReason = 'closed' | 'workerDied';

export type RoomEvents = {
  /** The room is gone. After 'workerDied' its clients must reconnect to a rebuilt room. */
  close: [{ roomId: string; reason: RoomCloseReason }];
  /** A peer's new producer, ready to be consumed. */
  producerAdded: [ProducerInfo];
  /** Whatever the cause (closed by its peer, transport closed, peer left). */
  producerClosed: [{ peerId: string; producerId: string; source: MediaSource }];
  /** The consumed producer went away: tell the consuming peer (`peerId`). */
  consumerClosed: [{ peerId: string; consumerId: string; producerId: string }];
  activeSpeaker: [{ peerId: string; producerId: string }];
  /** Whose camera video `peerId` receives now (last-N). */
  videoSelection: [{ peerId: string; peerIds: string[] }];
  /** To the publisher `peerId`: the top simulcast layer anyone watches (null: nobody). */
  videoLayers: [{ peerId: string; producerId: string; maxSpatialLayer: number | null }];
  /** A producer of another node arrived over a pipe transport (sfu/src/nodes). */
  producerImported: [ProducerInfo];
  /** Such a producer was paused or resumed on its node (news its own node told everyone). */
  importedPaused: [{ peerId: string; producerId: string; paused: boolean }];
};

/** One room: a mediasoup Router on one worker, with its peers and their media. */
export class Room extends EventEmitter<RoomEvents> {
  private readonly peers = new Map<string, Peer>();
  /** Producers piped in from other nodes (importProducer). */
  private readonly imported = new Set<string>();
  private readonly context: RoomContext;
  private closed = false;

  private constructor(
    readonly id: string,
    private readonly poolWorker: PoolWorker,
    private readonly router: types.Router,
    speakerObserver: types.ActiveSpeakerObserver,
    options: ResolvedSfuOptions,
    private readonly logger: Logger,
  ) {
    super();
    const producers = new ProducerDirectory();
    const speaker = new ActiveSpeaker(speakerObserver, producers, logger);
    const video = new VideoSelection(
      producers,
      () => this.peers.keys(),
      options.lastN,
      options.dynacast,
      logger,
    );
    this.context = {
      roomId: id,
      router,
      poolWorker,
      options,
      logger,
      producers,
      speaker,
      video,
      isClosed: () => this.closed,
    };
    poolWorker.counts.routers++;
    poolWorker.roomIds.add(id);
    router.observer.once('close', () => poolWorker.counts.routers--);
    router.once('workerclose', () => this.onWorkerClosed());
    speaker.on('activeSpeaker', (event) => {
      if (this.closed) return;
      video.speaker(event.peerId);
      this.emit('activeSpeaker', event);
    });
    video.on('selection', (event) => {
      if (!this.closed) this.emit('videoSelection', event);
    });
    video.on('layers', (event) => {
      if (!this.closed) this.emit('videoLayers', event);
    });
    // Pipes into breakouts and to other nodes consume here too, outside any peer: dynacast
    // must count them as watchers.
    router.observer.on('newtransport', (transport) => {
      if (transport.type !== 'pipe') return;
      transport.observer.on('newconsumer', (consumer) => video.watchUngated(consumer));
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

  get peerCount(): number {
    return this.peers.size;
  }

  /**
   * Idempotent: joining again keeps what the peer already has. `takesAllCameras`: every camera
   * reaches this peer whatever last-N decides, and counts as watched (a recorder).
   */
  join(peerId: string, options: { takesAllCameras?: boolean } = {}): Peer {
    this.assertOpen();
    if (typeof peerId !== 'string' || peerId === '') {
      throw new SfuError('validation_failed', 'peerId must be a non-empty string');
    }
    if (options.takesAllCameras) this.context.video.takeAll(peerId);
    const existing = this.peers.get(peerId);
    if (existing) return existing;
    const peer = new Peer(peerId, this.context);
    peer.on('producerAdded', (info) => {
      if (this.closed) return;
      this.context.video.producersChanged();
      this.emit('producerAdded', info);
    });
    peer.on('producerClosed', (event) => {
      if (this.closed) return;
      this.context.video.producersChanged();
      this.emit('producerClosed', { peerId, ...event });
    });
    peer.on('consumerClosed', (event) => {
      if (!this.closed) this.emit('consumerClosed', { peerId, ...event });
    });
    this.peers.set(peerId, peer);
    this.context.video.refresh();
    return peer;
  }

  /** A peer that joined; `not_found` otherwise (or when the room is closed). */
  peer(peerId: string): Peer {
    this.assertOpen();
    const peer = this.peers.get(peerId);
    if (!peer) throw new SfuError('not_found', `peer ${peerId} is not in room ${this.id}`);
    return peer;
  }

  /** Closes everything the peer owns; the others get producerClosed / consumerClosed. */
  leave(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.close();
    this.context.video.forgetPeer(peerId);
    this.logger.debug({ peerId }, 'peer left');
  }

  /** A teacher's camera reaches every viewer whatever last-N decides. */
  setPinned(peerId: string, pinned: boolean): void {
    this.assertOpen();
    this.context.video.setPinned(peerId, pinned);
  }

  /** The tiles `peerId` has on screen: their cameras reach it beyond last-N. */
  setVisible(peerId: string, peerIds: readonly string[]): void {
    this.assertOpen();
    this.context.video.setVisible(peerId, peerIds);
  }

  /** Consumers of every peer, and bits per second through their transports. */
  async usage(): Promise<{ consumers: number; bitsIn: number; bitsOut: number }> {
    let consumers = 0;
    let bitsIn = 0;
    let bitsOut = 0;
    await Promise.all(
      [...this.peers.values()].map(async (peer) => {
        consumers += peer.consumerCount;
        const rates = await peer.bitrates();
        bitsIn += rates.in;
        bitsOut += rates.out;
      }),
    );
    return { consumers, bitsIn, bitsOut };
  }

  /** Camera consumers flowing and held back by last-N. */
  get videoCounts(): { flowing: number; held: number } {
    return this.context.video.counts();
  }

  /** Producers of the room, for a peer that just joined (minus its own with `exceptPeerId`). */
  listProducers(exceptPeerId?: string): ProducerInfo[] {
    return this.context.producers.list(exceptPeerId);
  }

  /**
   * Forwards one of this room's producers into `target` (another room of the class, possibly on
   * another worker): the target's peers see it as a producer of `peerId` and can consume it.
   */
  async pipeTo(producerId: string, target: Room): Promise<PipedProducer> {
    this.assertOpen();
    target.assertOpen();
    const entry = this.context.producers.get(producerId);
    if (!entry) throw new SfuError('not_found', `producer ${producerId} not found`);
    const { pipeConsumer, pipeProducer: copy } = await pipeProducer(
      this.router,
      target.router,
      entry.producer,
    );
    if (this.closed || target.closed) {
      pipeConsumer.close();
      throw new SfuError('not_found', 'the room closed while piping');
    }
    target.adoptPipedProducer(copy, entry.peerId);
    this.logger.debug({ producerId, target: target.id }, 'producer piped');
    // Closing the pipe consumer closes the copy too (mediasoup wires that in pipeToRouter).
    return {
      producerId,
      copyId: copy.id,
      roomId: target.id,
      close: () => pipeConsumer.close(),
    };
  }

  /**
   * A pipe transport on this room's router, for media to and from another node's router
   * (sfu/src/nodes). Closed with the room.
   */
  createPipeTransport(options: types.PipeTransportOptions): Promise<types.PipeTransport> {
    this.assertOpen();
    return this.router.createPipeTransport(options);
  }

  /**
   * Makes a producer received over a pipe transport (another node's) one of this room's: its
   * peers can consume it, and it leaves with `producerClosed` like any other.
   */
  importProducer(producer: RoomProducer, peerId: string): void {
    this.assertOpen();
    this.adoptPipedProducer(producer, peerId);
    this.imported.add(producer.id);
    producer.observer.once('close', () => this.imported.delete(producer.id));
    const paused = (value: boolean) => () =>
      this.emit('importedPaused', { peerId, producerId: producer.id, paused: value });
    producer.observer.on('pause', paused(true));
    producer.observer.on('resume', paused(false));
    this.emit('producerImported', producerInfo(producer, peerId));
  }

  /** The producers other nodes piped in so far (for whoever starts listening late). */
  listImportedProducers(): ProducerInfo[] {
    return this.listProducers().filter((p) => this.imported.has(p.id));
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

  private adoptPipedProducer(producer: RoomProducer, peerId: string): void {
    const { poolWorker, producers } = this.context;
    producers.add(producer, peerId);
    poolWorker.counts.producers++;
    producer.observer.once('close', () => {
      producers.delete(producer.id);
      poolWorker.counts.producers--;
      if (!this.closed) {
        this.emit('producerClosed', {
          peerId,
          producerId: producer.id,
          source: producer.appData.source,
        });
      }
    });
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
}
