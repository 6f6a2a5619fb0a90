import type { Logger } from 'pino';
import type { NodePipe, NodePipeOptions, ProducerInfo, Room, Sfu } from '@educloud/sfu';
import { NodePipe as Pipe } from '@educloud/sfu';
import type { ClassOwnership } from './class-ownership.js';
import type { NodeBus } from './node-bus.js';
import { pipeClose, pipeOpen, pipeOpened, producerImport, producerState } from './node-messages.js';
import type { NodeRegistry } from './node-registry.js';

type Exported = Awaited<ReturnType<NodePipe['exportProducer']>>['consumer'];
type Imported = Awaited<ReturnType<NodePipe['importProducer']>>;

/** This node's end of the pipe to one other node, for one class. */
interface Link {
  remote: string;
  pipe: NodePipe;
  /** Producers of ours sent to the other node (their pipe consumers). */
  exported: Map<string, Exported>;
  /** The other node's producers received here. */
  imported: Map<string, Imported>;
  /** Producers on their way to the other node (not exported twice at once). */
  exporting: Set<string>;
}

/** A class whose media room is on this node, and its links to the other nodes. */
interface MeshedClass {
  classId: string;
  room: Room;
  owner: string;
  links: Map<string, Link>;
  /**
   * Every node linked since attach, its link closed or not: a home router that dies closes the
   * links before the room can say so, and those nodes must still be told to drop their ends.
   */
  linked: Set<string>;
  /** The node each imported producer came from: the owner relays it to the other nodes. */
  origin: Map<string, string>;
  /** Opened by the mesh only (this node owns the class, none of its participants is here). */
  hubOnly: boolean;
  connecting: Promise<void> | undefined;
  /** Takes this class's listeners off its room (they go with the class, not the room). */
  unlisten: () => void;
}

export interface ClassMeshOptions {
  sfu: Sfu;
  bus: NodeBus;
  registry: NodeRegistry;
  ownership: ClassOwnership;
  pipe: NodePipeOptions;
  logger: Logger;
  /** How often links and leases are checked (a dead node is noticed within its TTL + this). */
  checkEveryMs: number;
}

/**
 * A class across nodes. It lives on one node (its owner, placed on the least loaded node, kept
 * with a lease); every other node where some of its participants' sockets landed keeps a room
 * for their transports and links it to the owner's room with a PipeTransport pair: each side
 * sends the other its producers (the owner relays between the other nodes), so everyone
 * consumes everyone from their own node. Requests travel over Redis (NodeBus). A node whose
 * heartbeat stops loses its links; if it owned the class, the next node to check takes it.
 */
export class ClassMesh {
  private readonly classes = new Map<string, MeshedClass>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly opts: ClassMeshOptions) {
    const { bus } = opts;
    bus.handle('pipe:open', (p, from) => this.onPipeOpen(pipeOpen.parse(p), from));
    bus.handle('pipe:close', async (p, from) => this.onPipeClose(pipeClose.parse(p), from));
    bus.handle('producer:import', (p, from) => this.onImport(producerImport.parse(p), from));
    bus.handle('producer:state', (p, from) => this.onState(producerState.parse(p), from));
  }

  get nodeId(): string {
    return this.opts.registry.nodeId;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.opts.checkEveryMs);
    this.timer.unref();
  }

  /** The owner of each class this node has media for (diagnostics, tests). */
  owners(): Record<string, string> {
    return Object.fromEntries([...this.classes.values()].map((c) => [c.classId, c.owner]));
  }

  /** Links `room` (this node's room of the class) into the class's mesh; idempotent. */
  async attach(classId: string, room: Room, hubOnly = false): Promise<void> {
    const known = this.classes.get(classId);
    if (known?.room === room) {
      if (!hubOnly) known.hubOnly = false;
      return known.connecting;
    }
    if (known) this.detach(known);
    const cls: MeshedClass = {
      classId,
      room,
      owner: '',
      links: new Map(),
      linked: new Set(),
      origin: new Map(),
      hubOnly,
      connecting: undefined,
      unlisten: () => undefined,
    };
    this.classes.set(classId, cls);
    const added = (info: ProducerInfo) => {
      for (const link of cls.links.values()) void this.exportTo(cls, link, info);
    };
    const imported = (info: ProducerInfo) => {
      if (cls.owner !== this.nodeId) return;
      const from = cls.origin.get(info.id);
      for (const link of cls.links.values()) {
        if (link.remote !== from) void this.exportTo(cls, link, info);
      }
    };
    const closed = () => this.detach(cls);
    // The pipes to the other nodes were on the dead home router: link again from the new one.
    const moved = () => {
      this.opts.logger.warn({ classId }, 'home router moved: linking the class again');
      this.detach(cls);
      void this.attach(classId, room, cls.hubOnly);
    };
    room.on('producerAdded', added);
    room.on('producerImported', imported);
    room.once('close', closed);
    room.on('homeMoved', moved);
    cls.unlisten = () => {
      room.off('producerAdded', added);
      room.off('producerImported', imported);
      room.off('close', closed);
      room.off('homeMoved', moved);
    };
    return this.connect(cls);
  }

  /** Stops checking; with `tell`, the other nodes drop their pipes to this one at once. */
  async close(tell = true): Promise<void> {
    clearInterval(this.timer);
    if (tell) for (const cls of [...this.classes.values()]) this.detach(cls);
  }

  /** Finds the class's owner (placing it) and links to it unless it is this node. */
  private connect(cls: MeshedClass): Promise<void> {
    cls.connecting ??= (async () => {
      try {
        cls.owner = await this.opts.ownership.place(cls.classId);
        if (cls.owner !== this.nodeId && !cls.links.has(cls.owner) && !cls.room.isClosed) {
          await this.linkTo(cls, cls.owner);
        }
        this.opts.logger.info({ classId: cls.classId, owner: cls.owner }, 'class placed');
      } catch (err) {
        this.opts.logger.warn({ err, classId: cls.classId }, 'could not link the class');
      } finally {
        cls.connecting = undefined;
      }
    })();
    return cls.connecting;
  }

  private async linkTo(cls: MeshedClass, remote: string): Promise<void> {
    const pipe = await Pipe.open(cls.room, this.opts.pipe);
    // Registered before asking: the owner's producers may arrive right after its answer.
    const link = this.addLink(cls, remote, pipe);
    try {
      const answer = pipeOpened.parse(
        await this.opts.bus.request(remote, 'pipe:open', {
          classId: cls.classId,
          endpoint: pipe.endpoint,
        }),
      );
      await pipe.connect(answer.endpoint);
    } catch (err) {
      pipe.close();
      throw err;
    }
    for (const info of cls.room.listProducers()) {
      if (!cls.origin.has(info.id)) void this.exportTo(cls, link, info);
    }
  }

  private addLink(cls: MeshedClass, remote: string, pipe: NodePipe): Link {
    const link: Link = {
      remote,
      pipe,
      exported: new Map(),
      imported: new Map(),
      exporting: new Set(),
    };
    cls.links.get(remote)?.pipe.close();
    cls.links.set(remote, link);
    cls.linked.add(remote);
    pipe.onClose(() => {
      if (cls.links.get(remote) === link) cls.links.delete(remote);
      if (cls.hubOnly && cls.links.size === 0 && !cls.room.isClosed) cls.room.close();
    });
    return link;
  }

  private async exportTo(
    cls: MeshedClass,
    link: Link,
    info: { id: string; peerId: string; kind: 'audio' | 'video'; source: string; paused: boolean },
  ): Promise<void> {
    if (link.exported.has(info.id) || link.exporting.has(info.id) || link.pipe.closed) return;
    link.exporting.add(info.id);
    try {
      const { params, consumer } = await link.pipe.exportProducer(info as never);
      link.exported.set(info.id, consumer);
      const tell = (state: 'paused' | 'resumed' | 'closed') =>
        this.opts.bus
          .request(link.remote, 'producer:state', {
            classId: cls.classId,
            producerId: info.id,
            state,
          })
          .catch(() => undefined);
      consumer.observer.on('pause', () => void tell('paused'));
      consumer.observer.on('resume', () => void tell('resumed'));
      consumer.observer.once('close', () => {
        link.exported.delete(info.id);
        if (!link.pipe.closed) void tell('closed');
      });
      await this.opts.bus
        .request(link.remote, 'producer:import', { classId: cls.classId, producer: params })
        .catch((err: unknown) => {
          consumer.close();
          throw err;
        });
      this.opts.logger.debug(
        { classId: cls.classId, producerId: info.id, to: link.remote },
        'producer exported',
      );
    } catch (err) {
      // The next check tries again (see sendMissing).
      this.opts.logger.warn({ err, classId: cls.classId, producerId: info.id }, 'export failed');
    } finally {
      link.exporting.delete(info.id);
    }
  }

  /**
   * Sends the other node whatever it should have and has not: this node's own producers, and,
   * on the owner, those of the other nodes. An export that failed (a request lost or timed out
   * on a loaded node) is retried this way instead of leaving that node without the media.
   */
  private sendMissing(cls: MeshedClass, link: Link): void {
    if (link.pipe.closed || cls.room.isClosed) return;
    const owner = cls.owner === this.nodeId;
    for (const info of cls.room.listProducers()) {
      const origin = cls.origin.get(info.id);
      if (origin === undefined || (owner && origin !== link.remote)) {
        void this.exportTo(cls, link, info);
      }
    }
  }

  private async onPipeOpen(
    p: ReturnType<typeof pipeOpen.parse>,
    from: string,
  ): Promise<{ endpoint: unknown }> {
    let cls = this.classes.get(p.classId);
    if (!cls || cls.room.isClosed) {
      // Placed here without a participant of its own here: open the room as the class's hub.
      const room = await this.opts.sfu.classRooms(p.classId).openMain();
      await this.attach(p.classId, room, true);
      cls = this.classes.get(p.classId)!;
    }
    const pipe = await Pipe.open(cls.room, this.opts.pipe);
    await pipe.connect(p.endpoint);
    const link = this.addLink(cls, from, pipe);
    const owned = cls;
    // After the answer: the asking node connects its end first.
    setImmediate(() => {
      for (const info of owned.room.isClosed ? [] : owned.room.listProducers()) {
        if (owned.origin.get(info.id) !== from) void this.exportTo(owned, link, info);
      }
    });
    this.opts.logger.info({ classId: p.classId, from }, 'node linked');
    return { endpoint: pipe.endpoint };
  }

  private onPipeClose(p: ReturnType<typeof pipeClose.parse>, from: string): null {
    const cls = this.classes.get(p.classId);
    if (!cls) return null;
    cls.links.get(from)?.pipe.close();
    if (from === cls.owner) void this.connect(cls);
    return null;
  }

  private async onImport(p: ReturnType<typeof producerImport.parse>, from: string) {
    const link = this.classes.get(p.classId)?.links.get(from);
    const cls = this.classes.get(p.classId);
    if (!cls || !link) throw new Error(`no link for class ${p.classId} from ${from}`);
    if (link.imported.has(p.producer.id)) return null;
    cls.origin.set(p.producer.id, from);
    try {
      const producer = await link.pipe.importProducer(p.producer as never);
      link.imported.set(producer.id, producer);
      this.opts.logger.debug(
        { classId: p.classId, producerId: producer.id, from, kind: producer.kind },
        'producer imported',
      );
      producer.observer.once('close', () => {
        link.imported.delete(producer.id);
        if (cls.origin.get(producer.id) === from) cls.origin.delete(producer.id);
      });
    } catch (err) {
      cls.origin.delete(p.producer.id);
      throw err;
    }
    return null;
  }

  private async onState(p: ReturnType<typeof producerState.parse>, from: string) {
    const producer = this.classes.get(p.classId)?.links.get(from)?.imported.get(p.producerId);
    if (!producer) return null;
    if (p.state === 'closed') producer.close();
    else if (p.state === 'paused') await producer.pause();
    else await producer.resume();
    return null;
  }

  /** The room went (closed, or its worker died): the other nodes drop their ends. */
  private detach(cls: MeshedClass): void {
    if (this.classes.get(cls.classId) !== cls) return;
    this.classes.delete(cls.classId);
    cls.unlisten();
    for (const remote of cls.linked) {
      void this.opts.bus
        .request(remote, 'pipe:close', { classId: cls.classId })
        .catch(() => undefined);
    }
    for (const link of [...cls.links.values()]) link.pipe.close();
    if (cls.owner === this.nodeId) {
      this.opts.ownership.release(cls.classId).catch(() => undefined);
    }
  }

  /** Drops links to dead nodes, renews this node's leases, relinks classes that lost owners. */
  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const cls of [...this.classes.values()]) {
        for (const link of [...cls.links.values()]) {
          if (!(await this.opts.registry.isAlive(link.remote))) {
            this.opts.logger.warn({ classId: cls.classId, node: link.remote }, 'node gone');
            link.pipe.close();
          }
        }
        if (cls.room.isClosed || cls.connecting) continue;
        for (const link of cls.links.values()) this.sendMissing(cls, link);
        const ours = cls.owner === this.nodeId;
        if (ours ? !(await this.opts.ownership.renew(cls.classId)) : !cls.links.has(cls.owner)) {
          await this.connect(cls);
        }
      }
    } catch (err) {
      this.opts.logger.warn({ err }, 'node check failed');
    } finally {
      this.checking = false;
    }
  }
}
