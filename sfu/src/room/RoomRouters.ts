import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { SfuError } from '../errors.js';
import type { ResolvedSfuOptions } from '../options.js';
import type { PoolWorker } from '../PoolWorker.js';
import type { ProducerDirectory } from './ProducerDirectory.js';
import { RoomRouter } from './RoomRouter.js';

export type RoomRoutersEvents = {
  /** A router other than home went with its worker: the peers placed there lost their media. */
  routerLost: [{ workerIndex: number; peerIds: string[] }];
  /** The home router went with its worker and no other router was left: the room is lost. */
  homeLost: [];
  /**
   * The home router went with its worker and `home`, another router of the room, took its
   * place (speaker observer made, no microphone in it yet): the peers placed on the old home
   * lost their media; the others keep theirs.
   */
  homeMoved: [{ home: RoomRouter; workerIndex: number; peerIds: string[] }];
  /** A new router joined the room (its pipe transports must be watched like home's). */
  routerAdded: [RoomRouter];
};

/** Marks the pipe transports between two routers of one room (not a breakout's or a node's). */
export interface InternalPipeAppData extends types.AppData {
  roomInternal: true;
}

export function isInternalPipe(transport: types.Transport): boolean {
  return (transport.appData as Partial<InternalPipeAppData>).roomInternal === true;
}

/**
 * The routers of one room, at most one per worker. Peers fill the home router; once every
 * router of the room holds `maxPeersPerRouter` peers the next peer gets a router on the least
 * loaded worker. A peer consuming a producer of another router consumes a copy piped into its
 * own router (Router.pipeToRouter, keeping the producer's id): one pipe per producer and
 * router, made when first needed, closed with the producer (mediasoup links the pipe's ends).
 */
export class RoomRouters extends EventEmitter<RoomRoutersEvents> {
  private readonly routers: RoomRouter[];
  private readonly placement = new Map<string, RoomRouter>();
  /** Pipes of a producer into a router, by `${producerId} ${routerId}`. */
  private readonly pipes = new Map<string, Promise<void>>();
  /** PipeTransport pairs between two routers of the room, by their sorted ids. */
  private readonly pairs = new Map<string, Promise<void>>();
  /** Placements run one after another: two at once must not both open a router. */
  private placing: Promise<unknown> = Promise.resolve();

  private homeRouter: RoomRouter;
  /** Settles once a new home has its speaker observer (see watchLoss). */
  private moving: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly roomId: string,
    home: RoomRouter,
    /** The pool's least loaded worker; undefined: this room never leaves home. */
    private readonly leastLoaded: (() => PoolWorker) | undefined,
    private readonly options: ResolvedSfuOptions,
    private readonly producers: ProducerDirectory,
    private readonly logger: Logger,
  ) {
    super();
    this.homeRouter = home;
    this.routers = [home];
    this.watchLoss(home);
  }

  /** Where the speaker observer, the recorder and the pipes to breakouts and nodes live. */
  get home(): RoomRouter {
    return this.homeRouter;
  }

  get all(): readonly RoomRouter[] {
    return this.routers;
  }

  routerOf(peerId: string): RoomRouter | undefined {
    return this.placement.get(peerId);
  }

  /**
   * The router a peer's transports go on, chosen once per peer. `home`: the home router
   * whatever its load (a recorder stays where the room lives).
   */
  place(peerId: string, options: { home?: boolean } = {}): Promise<RoomRouter> {
    const task = this.placing.then(async () => {
      const placed = this.placement.get(peerId);
      if (placed?.alive) return placed;
      const chosen = options.home ? this.home : await this.choose();
      if (!chosen.alive) throw new SfuError('not_found', `room ${this.roomId} lost its router`);
      chosen.peerIds.add(peerId);
      this.placement.set(peerId, chosen);
      return chosen;
    });
    this.placing = task.catch(() => undefined);
    return task;
  }

  /** The peer left: an emptied router other than home closes (and its pipes with it). */
  release(peerId: string): void {
    const router = this.placement.get(peerId);
    if (!router) return;
    this.placement.delete(peerId);
    router.peerIds.delete(peerId);
    if (router !== this.home && router.peerIds.size === 0 && router.alive) {
      this.logger.info({ worker: router.poolWorker.index }, 'router emptied, closing it');
      this.remove(router);
      router.router.close();
    }
  }

  /** Makes `producerId` (any router of the room) consumable on `target`. */
  async reach(producerId: string, target: RoomRouter): Promise<void> {
    const entry = this.producers.get(producerId);
    if (!entry) throw new SfuError('not_found', `producer ${producerId} not found`);
    const source = entry.router;
    if (!source || source === target.router) return;
    const key = `${producerId} ${target.router.id}`;
    let pipe = this.pipes.get(key);
    if (!pipe) {
      pipe = this.pipe(entry.producer, source, target.router, key);
      this.pipes.set(key, pipe);
      pipe.catch(() => {
        if (this.pipes.get(key) === pipe) this.pipes.delete(key);
      });
    }
    await pipe;
  }

  /**
   * Adds a microphone to the room's one speaker observer, on home: one observer per router
   * would not do, as an observer with a single microphone declares it dominant at once
   * (ActiveSpeakerObserver.cpp), whatever it hears. Piping a microphone home costs little:
   * the peers on home consume it anyway.
   */
  async addSpeaker(producerId: string): Promise<void> {
    await this.moving;
    const home = this.home;
    try {
      await this.reach(producerId, home);
    } catch (error) {
      this.logger.warn({ err: error, producerId }, 'microphone not piped to the speaker observer');
      return;
    }
    await home.speaker?.add(producerId);
  }

  /** Closes every router (their pipes close with them). */
  close(): void {
    for (const router of this.routers) router.router.close();
  }

  private async choose(): Promise<RoomRouter> {
    const max = this.options.maxPeersPerRouter;
    const alive = this.routers.filter((r) => r.alive);
    if (!this.leastLoaded || max === 0) return this.home;
    const open = alive.filter((r) => r.peerIds.size < max);
    if (open.length > 0) {
      return open.reduce((a, b) => (b.poolWorker.load < a.poolWorker.load ? b : a));
    }
    // Every router is full: the least loaded worker, with this room's router there if any.
    const worker = this.leastLoaded();
    const there = alive.find((r) => r.poolWorker === worker);
    if (there) return there;
    const router = await RoomRouter.create(
      this.roomId,
      worker,
      false,
      this.options,
      this.producers,
      this.logger,
    );
    if (!this.home.alive) {
      router.router.close();
      throw new SfuError('not_found', `room ${this.roomId} is closed`);
    }
    this.routers.push(router);
    this.watchLoss(router);
    this.emit('routerAdded', router);
    return router;
  }

  private watchLoss(router: RoomRouter): void {
    router.router.once('workerclose', () => {
      const wasHome = router === this.home;
      const peerIds = [...router.peerIds];
      for (const peerId of peerIds) this.placement.delete(peerId);
      router.peerIds.clear();
      this.remove(router);
      const workerIndex = router.poolWorker.index;
      if (!wasHome) {
        this.emit('routerLost', { workerIndex, peerIds });
        return;
      }
      const successor = this.routers.find((r) => r.alive);
      if (!successor) {
        this.emit('homeLost');
        return;
      }
      // Placements and speakers wait for the new home: nothing lands on a home half made.
      this.homeRouter = successor;
      const moved = this.moveHome(successor, workerIndex, peerIds);
      this.moving = moved;
      this.placing = this.placing.then(() => moved);
    });
  }

  private async moveHome(home: RoomRouter, workerIndex: number, peerIds: string[]) {
    try {
      await home.becomeHome(this.options, this.producers, this.logger);
    } catch (error) {
      this.logger.error({ err: error }, 'the room could not move home');
      // A successor whose own worker died meanwhile was handled by its own watch (handed on,
      // or the room lost); one alive that refused the observer leaves the room without home.
      if (home === this.homeRouter && home.alive) this.emit('homeLost');
      return;
    }
    this.logger.warn(
      { from: workerIndex, to: home.poolWorker.index, lostPeers: peerIds },
      'home worker died: the room moved home',
    );
    this.emit('homeMoved', { home, workerIndex, peerIds });
  }

  private remove(router: RoomRouter): void {
    const i = this.routers.indexOf(router);
    if (i >= 0) this.routers.splice(i, 1);
  }

  private async pipe(
    producer: types.Producer,
    from: types.Router,
    to: types.Router,
    key: string,
  ): Promise<void> {
    await this.pair(from, to);
    // Same id on the other worker: consumers there name the producer as everyone does.
    const { pipeProducer } = await from.pipeToRouter({
      producerId: producer.id,
      router: to,
      keepId: true,
    });
    if (!pipeProducer) throw new Error('pipeToRouter returned no producer');
    pipeProducer.observer.once('close', () => this.pipes.delete(key));
    this.logger.debug({ producerId: producer.id, to: to.id }, 'producer piped between routers');
  }

  /**
   * The PipeTransport pair pipeToRouter uses between two routers of the room, made here so its
   * transports carry `roomInternal` (dynacast must not count these pipes as watchers: the
   * consumers at their far end are counted one by one). Router.addPipeTransportPair is marked
   * @private in mediasoup 3.19's types: on an upgrade, RoomRouters.test.ts shows whether it
   * still does what pipeToRouter itself does with it.
   */
  private pair(a: types.Router, b: types.Router): Promise<void> {
    const key = [a.id, b.id].sort().join(' ');
    let pair = this.pairs.get(key);
    if (!pair) {
      const transports = this.openPair(a, b, key);
      a.addPipeTransportPair(b.id, transports);
      b.addPipeTransportPair(a.id, transports);
      pair = transports.then(() => undefined);
      this.pairs.set(key, pair);
      pair.catch(() => {
        if (this.pairs.get(key) === pair) this.pairs.delete(key);
      });
    }
    return pair;
  }

  private async openPair(
    a: types.Router,
    b: types.Router,
    key: string,
  ): Promise<types.PipeTransportPair> {
    const options: types.PipeTransportOptions<InternalPipeAppData> = {
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      appData: { roomInternal: true },
    };
    const made = await Promise.allSettled([
      a.createPipeTransport(options),
      b.createPipeTransport(options),
    ]);
    const [ta, tb] = made.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    if (!ta || !tb) {
      ta?.close();
      tb?.close();
      throw made.find((r) => r.status === 'rejected')?.reason;
    }
    const forget = () => {
      this.pairs.delete(key);
      ta.close();
      tb.close();
    };
    ta.observer.once('close', forget);
    tb.observer.once('close', forget);
    const address = (t: types.PipeTransport) => ({
      ip: t.tuple.localAddress ?? t.tuple.localIp,
      port: t.tuple.localPort,
    });
    try {
      await Promise.all([ta.connect(address(tb)), tb.connect(address(ta))]);
    } catch (error) {
      forget();
      throw error;
    }
    return { [a.id]: ta, [b.id]: tb };
  }
}
