import type { WaitingEntry } from '@educloud/protocol';
import { AckError } from './ack-error.js';
import type { LiveServer, LiveSocket } from './live-io.js';
import type { ClassDeps, Handlers } from './live-handler.js';
import { roomChannel, teachersChannel } from './live-room.js';

interface Waiter {
  entry: WaitingEntry;
  socket: LiveSocket;
}

/**
 * People waiting to be let into a class, and who was admitted (for the rest of the session, so
 * a reconnect does not send them back to wait). Teachers see the list change live.
 */
export class WaitingRoom {
  private readonly waiting = new Map<string, Map<string, Waiter>>();
  private readonly admitted = new Map<string, Set<string>>();

  constructor(private readonly io: LiveServer) {}

  list(classId: string): WaitingEntry[] {
    return [...(this.waiting.get(classId)?.values() ?? [])].map((w) => w.entry);
  }

  isAdmitted(classId: string, userId: string): boolean {
    return this.admitted.get(classId)?.has(userId) ?? false;
  }

  /** Puts the socket on the list (again: its latest socket counts) until admitted or denied. */
  add(classId: string, socket: LiveSocket, who: { userId: string; name: string }): void {
    let list = this.waiting.get(classId);
    if (!list) this.waiting.set(classId, (list = new Map()));
    const previous = list.get(who.userId);
    const since = previous?.entry.since ?? new Date().toISOString();
    list.set(who.userId, { entry: { userId: who.userId, name: who.name, since }, socket });
    if (previous?.socket !== socket) {
      socket.once('disconnect', () => {
        if (list.get(who.userId)?.socket !== socket) return;
        list.delete(who.userId);
        this.changed(classId);
      });
    }
    this.changed(classId);
  }

  admit(classId: string, userId: string): void {
    const waiter = this.take(classId, userId);
    let admitted = this.admitted.get(classId);
    if (!admitted) this.admitted.set(classId, (admitted = new Set()));
    admitted.add(userId);
    waiter.socket.emit('waiting:admitted', {});
    this.changed(classId);
  }

  admitAll(classId: string): void {
    for (const { entry } of [...(this.waiting.get(classId)?.values() ?? [])]) {
      this.admit(classId, entry.userId);
    }
  }

  deny(classId: string, userId: string): void {
    const waiter = this.take(classId, userId);
    waiter.socket.emit('waiting:denied', {});
    this.changed(classId);
  }

  forget(classId: string): void {
    this.waiting.delete(classId);
    this.admitted.delete(classId);
  }

  private take(classId: string, userId: string): Waiter {
    const waiter = this.waiting.get(classId)?.get(userId);
    if (!waiter) throw new AckError('not_found', 'Nobody by that id is waiting');
    this.waiting.get(classId)!.delete(userId);
    return waiter;
  }

  private changed(classId: string): void {
    this.io.to(teachersChannel(classId)).emit('waiting:updated', { waiting: this.list(classId) });
  }
}

export function waitingHandlers(
  d: ClassDeps,
): Handlers<'waiting:admit' | 'waiting:admitAll' | 'waiting:deny' | 'class:settings'> {
  return {
    'waiting:admit': async (_s, session, { userId }) => {
      const { classId } = await d.guards.asTeacher(session);
      d.waiting.admit(classId, userId);
      return null;
    },
    'waiting:admitAll': async (_s, session) => {
      const { classId } = await d.guards.asTeacher(session);
      d.waiting.admitAll(classId);
      return null;
    },
    'waiting:deny': async (_s, session, { userId }) => {
      const { classId } = await d.guards.asTeacher(session);
      d.waiting.deny(classId, userId);
      return null;
    },
    'class:settings': async (_s, session, patch) => {
      const { classId } = await d.guards.asTeacher(session);
      const settings = await d.settings.update(classId, patch);
      // Turning the waiting room off lets everyone waiting in.
      if (patch.waitingRoom === false) d.waiting.admitAll(classId);
      d.io.to(roomChannel(classId)).emit('class:settings', settings);
      return { settings };
    },
  };
}

/**
 * Whether a user may come into the class now: refusals are error acks the client acts on
 * (`removed`, `class_locked`, `waiting_room`). People already in (a reconnect, a second tab)
 * and teachers pass the lock and the waiting room.
 */
export async function admission(
  d: ClassDeps,
  classId: string,
  socket: LiveSocket,
  who: { userId: string; name: string; role: 'teacher' | 'student' },
  alreadyIn: boolean,
): Promise<void> {
  if (await d.removals.has(classId, who.userId)) {
    throw new AckError('removed', 'A teacher removed you from this class');
  }
  if (who.role === 'teacher' || alreadyIn) return;
  const settings = await d.settings.get(classId);
  if (settings.locked) throw new AckError('class_locked', 'The teacher locked the class');
  if (settings.waitingRoom && !d.waiting.isAdmitted(classId, who.userId)) {
    d.waiting.add(classId, socket, who);
    throw new AckError('waiting_room', 'Waiting for the teacher to let you in');
  }
}
