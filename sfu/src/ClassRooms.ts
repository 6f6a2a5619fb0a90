import { EventEmitter } from 'node:events';
import { SfuError } from './errors.js';
import type { ResolvedSfuOptions } from './options.js';
import type { PipedProducer } from './room/pipeProducer.js';
import { Room } from './room/Room.js';
import type { WorkerPool } from './WorkerPool.js';

/**
 * One live class on the media plane: a class is one class with several rooms. Its main room
 * exists while the class is live, and each breakout is a room of its own; every room has its
 * own home router, placed on the least loaded worker when it is opened, so breakouts spread
 * across the workers, and a room that outgrows one router (maxPeersPerRouter) spreads its
 * newcomers onto the least loaded workers (RoomRouters). Producers of the main room can be piped into every breakout (the teacher
 * speaking to all rooms).
 */
export type ClassRoomsEvents = {
  /** No room is open or opening any more: the sfu forgets the class. */
  empty: [];
};

export class ClassRooms extends EventEmitter<ClassRoomsEvents> {
  private mainRoom: Room | undefined;
  private readonly breakoutRooms = new Map<string, Room>();
  /** Main-room producers piped into the breakouts, by producer id. */
  private readonly piped = new Map<string, PipedProducer[]>();
  private opening: Promise<Room> | undefined;
  private closed = false;

  constructor(
    readonly classId: string,
    private readonly pool: WorkerPool,
    private readonly options: ResolvedSfuOptions,
  ) {
    super();
  }

  /** The main room if it is open. */
  get main(): Room | undefined {
    return this.mainRoom;
  }

  /** Every open room of the class. */
  get rooms(): Room[] {
    return [...(this.mainRoom ? [this.mainRoom] : []), ...this.breakoutRooms.values()];
  }

  get breakouts(): ReadonlyMap<string, Room> {
    return this.breakoutRooms;
  }

  /** A breakout room on the least loaded worker; `conflict` if it is open already. */
  async openBreakout(breakoutId: string): Promise<Room> {
    if (this.closed) throw new SfuError('internal', 'the sfu is closed');
    if (typeof breakoutId !== 'string' || breakoutId === '' || breakoutId === this.classId) {
      throw new SfuError('validation_failed', 'breakoutId must be a non-empty string');
    }
    if (this.breakoutRooms.has(breakoutId)) {
      throw new SfuError('conflict', `breakout ${breakoutId} is open already`);
    }
    const room = await Room.create(breakoutId, this.pool.leastLoaded(), this.options, () =>
      this.pool.leastLoaded(),
    );
    if (this.closed || this.breakoutRooms.has(breakoutId)) {
      room.close();
      throw new SfuError('conflict', `breakout ${breakoutId} is open already`);
    }
    this.breakoutRooms.set(breakoutId, room);
    room.once('close', () => {
      if (this.breakoutRooms.get(breakoutId) === room) this.breakoutRooms.delete(breakoutId);
      for (const [producerId, pipes] of this.piped) {
        const kept = pipes.filter((pipe) => pipe.roomId !== breakoutId);
        if (kept.length === 0) this.piped.delete(producerId);
        else pipes.splice(0, pipes.length, ...kept);
      }
      this.emitIfEmpty();
    });
    return room;
  }

  /**
   * Closes every breakout router (their transports, producers, consumers and the pipes into
   * them go with them): the workers are left with the main room.
   */
  closeBreakouts(): void {
    for (const pipes of this.piped.values()) for (const pipe of pipes) pipe.close();
    this.piped.clear();
    for (const room of [...this.breakoutRooms.values()]) room.close();
  }

  /**
   * Forwards a main-room producer into every open breakout; idempotent per producer. Returns
   * the copy in each breakout room.
   */
  async pipeToBreakouts(producerId: string): Promise<PipedProducer[]> {
    const main = this.mainRoom;
    if (!main) throw new SfuError('not_found', `class ${this.classId} has no main room`);
    const existing = this.piped.get(producerId);
    if (existing) return existing;
    const pipes: PipedProducer[] = [];
    this.piped.set(producerId, pipes);
    try {
      for (const room of this.breakoutRooms.values()) {
        pipes.push(await main.pipeTo(producerId, room));
      }
    } catch (error) {
      this.unpipe(producerId);
      throw error;
    }
    return pipes;
  }

  /** Stops forwarding a producer into the breakouts; its copies close everywhere. */
  unpipe(producerId: string): void {
    for (const pipe of this.piped.get(producerId) ?? []) pipe.close();
    this.piped.delete(producerId);
  }

  /** Concurrent calls (two students joining at once) share one room; a lost room is rebuilt. */
  openMain(): Promise<Room> {
    if (this.closed) return Promise.reject(new SfuError('internal', 'the sfu is closed'));
    if (this.mainRoom) return Promise.resolve(this.mainRoom);
    if (this.opening) return this.opening;
    const task = (async () => {
      const room = await Room.create(this.classId, this.pool.leastLoaded(), this.options, () =>
        this.pool.leastLoaded(),
      );
      if (this.closed) {
        room.close();
        throw new SfuError('internal', 'the sfu is closed');
      }
      this.mainRoom = room;
      room.once('close', () => {
        if (this.mainRoom === room) this.mainRoom = undefined;
        this.emitIfEmpty();
      });
      return room;
    })();
    // Registered before it settles: a synchronous failure (no worker running while one is
    // being replaced) must not stay cached as this room's pending creation.
    this.opening = task;
    const forget = () => {
      if (this.opening === task) this.opening = undefined;
    };
    task.then(forget, () => {
      forget();
      this.emitIfEmpty();
    });
    return task;
  }

  /** Whether a room is open or being opened. */
  get isOpening(): boolean {
    return this.opening !== undefined;
  }

  /** Closes every room of the class; waits for one still being created. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.opening) await this.opening.catch(() => undefined);
    for (const room of this.rooms) room.close();
  }

  private emitIfEmpty(): void {
    if (this.rooms.length === 0 && !this.opening) this.emit('empty');
  }
}
