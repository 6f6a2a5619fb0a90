import { SfuError } from '../errors.js';
import type { RoomContext, RoomShared } from './RoomContext.js';
import type { RoomRouter } from './RoomRouter.js';
import type { RoomRouters } from './RoomRouters.js';

/** One peer's view of its room: the shared parts, and the router the room placed it on. */
export class PeerContext implements RoomContext {
  private placed: RoomRouter | undefined;
  private placing: Promise<void> | undefined;

  constructor(
    private readonly shared: RoomShared,
    private readonly routers: RoomRouters,
    private readonly peerId: string,
    /** Keep this peer on the home router (a recorder stays where the room lives). */
    private readonly home: boolean,
  ) {}

  get roomId() {
    return this.shared.roomId;
  }
  get options() {
    return this.shared.options;
  }
  get logger() {
    return this.shared.logger;
  }
  get producers() {
    return this.shared.producers;
  }
  get video() {
    return this.shared.video;
  }
  get isClosed() {
    return this.shared.isClosed;
  }

  get router() {
    return this.at().router;
  }
  get poolWorker() {
    return this.at().poolWorker;
  }
  get speaker() {
    return { add: (producerId: string) => this.routers.addSpeaker(producerId) };
  }

  place(): Promise<void> {
    this.placing ??= this.routers.place(this.peerId, { home: this.home }).then(
      (router) => {
        this.placed = router;
      },
      (error: unknown) => {
        this.placing = undefined;
        throw error;
      },
    );
    return this.placing;
  }

  async reach(producerId: string): Promise<void> {
    await this.place();
    await this.routers.reach(producerId, this.at());
  }

  private at(): RoomRouter {
    if (!this.placed) throw new SfuError('not_found', `peer ${this.peerId} has no transport yet`);
    return this.placed;
  }
}
