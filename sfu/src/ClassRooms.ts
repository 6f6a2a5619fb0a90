import { EventEmitter } from 'node:events';
import { SfuError } from './errors.js';
import type { ResolvedSfuOptions } from './options.js';
import { Room } from './room/Room.js';
import type { WorkerPool } from './WorkerPool.js';

/**
 * One live class on the media plane: a class is one class with several rooms. Its main room
 * always exists while the class is live; each room has its own router, placed on the least
 * loaded worker when it is opened.
 */
export type ClassRoomsEvents = {
  /** No room is open or opening any more: the sfu forgets the class. */
  empty: [];
};

export class ClassRooms extends EventEmitter<ClassRoomsEvents> {
  private mainRoom: Room | undefined;
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
    return this.mainRoom ? [this.mainRoom] : [];
  }

  /** Concurrent calls (two students joining at once) share one room; a lost room is rebuilt. */
  openMain(): Promise<Room> {
    if (this.closed) return Promise.reject(new SfuError('internal', 'the sfu is closed'));
    if (this.mainRoom) return Promise.resolve(this.mainRoom);
    if (this.opening) return this.opening;
    const task = (async () => {
      const room = await Room.create(this.classId, this.pool.leastLoaded(), this.options);
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
