import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { SfuError } from '../errors.js';
import type { ResolvedSfuOptions } from '../options.js';
import type { PoolWorker } from '../PoolWorker.js';
import type { MediaSource, ProducerInfo, RtpCapabilities } from '../types.js';
import { Peer } from './Peer.js';
import { PeerContext } from './PeerContext.js';
import { pipeProducer, type PipedProducer } from './pipeProducer.js';
import { ProducerDirectory, producerInfo, type RoomProducer } from './ProducerDirectory.js';
import type { RoomShared } from './RoomContext.js';
import type { ActiveSpeaker } from './ActiveSpeaker.js';
import { RoomRouter } from './RoomRouter.js';
import { isInternalPipe, RoomRouters } from './RoomRouters.js';
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
  /**
   * A worker holding one of the room's routers (not its home) died: these peers lost their
   * transports and must set up media again (joining places them on a live router). The room
   * and everyone else's media stay.
   */
  peersLost: [{ peerIds: string[]; workerIndex: number }];
  /**
   * The home router's worker died and another router of the room became home (after
   * `peersLost` for the peers it held): what lived on home (pipes to other nodes, a recorder)
   * must be set up again there.
   */
  homeMoved: [{ workerIndex: number }];
};

/**
 * One room: its peers and their media, on a home router and, once it outgrows one router
 * (`maxPeersPerRouter`), on routers of other workers too (RoomRouters pipes media between them).
 */
export class Room extends EventEmitter<RoomEvents> {
  private readonly peers = new Map<string, Peer>();
  /** Producers piped in from other nodes (importProducer). */
  private readonly imported = new Set<string>();
  /** Peers lost with a router (peersLost), until they join again or leave. */
  private readonly lost = new Set<string>();
  private readonly context: RoomShared;
  private closed = false;

  private constructor(
    readonly id: string,
    private readonly routers: RoomRouters,
    producers: ProducerDirectory,
    options: ResolvedSfuOptions,
    private readonly logger: Logger,
  ) {
    super();
    const video = new VideoSelection(
      producers,
      () => this.peers.keys(),
      options.lastN,
      options.dynacast,
      logger,
      options.standbyCameras,
    );
    this.context = {
      roomId: id,
      options,
      logger,
      producers,
      video,
      isClosed: () => this.closed,
    };
    video.on('selection', (event) => {
      if (!this.closed) this.emit('videoSelection', event);
    });
    video.on('layers', (event) => {
      if (!this.closed) this.emit('videoLayers', event);
    });
    this.watchRouter(routers.home);
    routers.on('routerAdded', (router) => this.watchRouter(router));
    routers.on('homeLost', () => this.onWorkerClosed());
    routers.on('routerLost', (event) => this.losePeers(event.peerIds, event.workerIndex));
    routers.on('homeMoved', (event) => this.onHomeMoved(event));
  }

  /**
   * A room with its home router on `poolWorker`. With `leastLoaded` (the pool's) it spreads
   * onto other workers once its routers are full.
   */
  static async create(
    id: string,
    poolWorker: PoolWorker,
    options: ResolvedSfuOptions,
    leastLoaded?: () => PoolWorker,
  ): Promise<Room> {
    const logger = poolWorker.logger.child({ room: id });
    const producers = new ProducerDirectory();
    const home = await RoomRouter.create(id, poolWorker, true, options, producers, logger);
    logger.info({ routerId: home.router.id }, 'room created');
    const routers = new RoomRouters(id, home, leastLoaded, options, producers, logger);
    return new Room(id, routers, producers, options, logger);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** What clients load their mediasoup-client Device with. */
  get rtpCapabilities(): RtpCapabilities {
    return this.homeRouter.rtpCapabilities;
  }

  /** The worker of the home router. */
  get workerIndex(): number {
    return this.routers.home.poolWorker.index;
  }

  get workerPid(): number {
    return this.routers.home.poolWorker.pid;
  }

  /** Per router of the room: its worker, its peers and their consumers (for metrics, tests). */
  get placement(): { workerIndex: number; peerIds: string[]; consumers: number }[] {
    return this.routers.all.map((r) => ({
      workerIndex: r.poolWorker.index,
      peerIds: [...r.peerIds],
      consumers: [...r.peerIds].reduce((n, id) => n + (this.peers.get(id)?.consumerCount ?? 0), 0),
    }));
  }

  /** The worker index of the router `peerId` was placed on (after its first transport). */
  workerIndexOf(peerId: string): number | undefined {
    return this.routers.routerOf(peerId)?.poolWorker.index;
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
    this.lost.delete(peerId);
    const context = new PeerContext(
      this.context,
      this.routers,
      peerId,
      options.takesAllCameras === true,
    );
    const peer = new Peer(peerId, context);
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
    // A peer lost with its router that never came back keeps no last-N state either.
    if (!peer && this.lost.delete(peerId)) this.context.video.forgetPeer(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.close();
    this.routers.release(peerId);
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
      entry.router ?? this.homeRouter,
      target.homeRouter,
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

  /** Makes a producer of any of the room's routers consumable on its home router. */
  reachHome(producerId: string): Promise<void> {
    this.assertOpen();
    return this.routers.reach(producerId, this.routers.home);
  }

  /**
   * A pipe transport on this room's home router, for media to and from another node's router
   * (sfu/src/nodes). Closed with the room.
   */
  createPipeTransport(options: types.PipeTransportOptions): Promise<types.PipeTransport> {
    this.assertOpen();
    return this.homeRouter.createPipeTransport(options);
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
    this.routers.close();
    this.cleanUp('closed');
  }

  private get homeRouter(): types.Router {
    return this.routers.home.router;
  }

  private watchRouter({ router, speaker }: RoomRouter): void {
    if (speaker) this.watchSpeaker(speaker);
    // Pipes into breakouts and to other nodes consume here too, outside any peer: dynacast
    // must count them as watchers. Pipes between the room's own routers do not: the consumers
    // at their far end are counted themselves.
    router.observer.on('newtransport', (transport) => {
      if (transport.type !== 'pipe' || isInternalPipe(transport)) return;
      transport.observer.on('newconsumer', (consumer) => this.context.video.watchUngated(consumer));
    });
  }

  private watchSpeaker(speaker: ActiveSpeaker): void {
    speaker.on('activeSpeaker', (event) => {
      if (this.closed) return;
      this.context.video.speaker(event.peerId);
      this.emit('activeSpeaker', event);
    });
  }

  /**
   * Home moved to a surviving router: its peers are lost like any dead router's, and every
   * microphone still on goes into the new home's speaker observer.
   */
  private onHomeMoved(event: { home: RoomRouter; workerIndex: number; peerIds: string[] }): void {
    if (this.closed) return;
    this.watchSpeaker(event.home.speaker!);
    this.losePeers(event.peerIds, event.workerIndex);
    for (const p of this.context.producers.list()) {
      if (p.kind === 'audio' && p.source === 'mic') void this.routers.addSpeaker(p.id);
    }
    this.emit('homeMoved', { workerIndex: event.workerIndex });
  }

  private losePeers(peerIds: string[], workerIndex: number): void {
    if (this.closed) return;
    const lost: string[] = [];
    for (const peerId of peerIds) {
      const peer = this.peers.get(peerId);
      if (!peer) continue;
      // Pins, visible tiles and takesAll stay: the peer comes back under the same id.
      this.peers.delete(peerId);
      peer.close();
      this.lost.add(peerId);
      this.context.video.retell(peerId);
      lost.push(peerId);
    }
    this.context.video.refresh();
    this.logger.error({ worker: workerIndex, peerIds: lost }, 'router lost with its worker');
    this.emit('peersLost', { peerIds: lost, workerIndex });
  }

  private adoptPipedProducer(producer: RoomProducer, peerId: string): void {
    const { producers } = this.context;
    const { poolWorker, router } = this.routers.home;
    producers.add(producer, peerId, router);
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
    // The rest of the room goes too: its clients set up media again in a rebuilt room.
    this.routers.close();
    this.cleanUp('workerDied');
  }

  private cleanUp(reason: RoomCloseReason): void {
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    if (reason === 'workerDied') this.logger.error('room lost: its worker died');
    else this.logger.info('room closed');
    this.emit('close', { roomId: this.id, reason });
  }

  private assertOpen(): void {
    if (this.closed) throw new SfuError('not_found', `room ${this.id} is closed`);
  }
}
