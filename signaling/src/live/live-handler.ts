import type { z } from 'zod';
import type { clientEvents, ClientEventName, ClientEventResults } from '@educloud/protocol';
import type { Principal } from '../auth/principal.js';
import type { ClassService } from '../classes/class-service.js';
import type { ChatService } from './chat-service.js';
import type { ClassSettingsStore } from './class-settings.js';
import type { HandQueue } from './hand-queue.js';
import type { LiveServer, LiveSocket } from './live-io.js';
import type { ForcedMutes } from './forced-mutes.js';
import type { PollService } from './polls.js';
import type { Removals } from './removals.js';
import type { StageStore } from './stage-store.js';
import type { WaitingRoom } from './waiting-room.js';
import type { LiveRoom } from './live-room.js';
import type { BreakoutManager } from './breakouts/breakout-manager.js';
import type { ClassRecordingControl } from './recording-port.js';

/** What the gateway knows about one socket; kept on `socket.data.session`. */
export interface SocketSession {
  principal: Principal;
  /** When the token the socket is authorized by expires (renewed by `session:refresh`). */
  expiresAt: Date;
  classId?: string;
  peerId?: string;
  role?: 'teacher' | 'student';
}

export type Handler<E extends ClientEventName> = (
  socket: LiveSocket,
  session: SocketSession,
  payload: z.output<(typeof clientEvents)[E]>,
) => Promise<ClientEventResults[E]>;

export type Handlers<E extends ClientEventName> = { [K in E]: Handler<K> };

export interface InClass {
  room: LiveRoom;
  peerId: string;
  classId: string;
}

/** The checks every handler starts with: in a class, and for teacher events, teaching it. */
export interface Guards {
  joined(session: SocketSession): Promise<InClass>;
  asTeacher(session: SocketSession): Promise<InClass>;
}

/** The services the class's event handlers share; built once by the gateway. */
export interface ClassDeps {
  io: LiveServer;
  guards: Guards;
  classes: ClassService;
  chat: ChatService;
  polls: PollService;
  settings: ClassSettingsStore;
  hands: HandQueue;
  mutes: ForcedMutes;
  waiting: WaitingRoom;
  removals: Removals;
  stage: StageStore;
  breakouts: BreakoutManager;
  /** Absent when the server does not record classes. */
  recording?: ClassRecordingControl;
}
