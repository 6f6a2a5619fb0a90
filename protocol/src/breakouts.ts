import { z } from 'zod';

/**
 * Breakout rooms. A live class is one class with several rooms: its main room and, while
 * breakouts run, one room per breakout, each with its own media router, participants, chat and
 * whiteboard (`breakoutDocumentName(breakoutId)`). Members of the class move between its rooms;
 * `roomId` null is the main room.
 */

export const breakoutLimits = {
  minRooms: 2,
  maxRooms: 50,
  /** Seconds. */
  minDuration: 5,
  maxDuration: 4 * 3600,
  maxExtend: 3600,
  /** Seconds: "close in…" gives the rooms at most this long to finish their sentence. */
  maxCloseCountdown: 120,
  /** The rooms are warned this many seconds before the end (when the duration allows). */
  warnings: [60, 10],
  maxMessageLength: 1000,
} as const;

/**
 * random: the server spreads the students evenly; manual: the teacher places them (the
 * `manual` lists, then moves); choose: each student picks a room. Late joiners follow the same
 * rule (random: the emptiest room; manual and choose: the main room until placed or chosen).
 */
export const breakoutAssignmentSchema = z.enum(['random', 'manual', 'choose']);
export type BreakoutAssignment = z.infer<typeof breakoutAssignmentSchema>;

const userId = z.string().min(1).max(100);
const breakoutId = z.uuid();

export const breakoutOpenSchema = z
  .strictObject({
    count: z.number().int().min(breakoutLimits.minRooms).max(breakoutLimits.maxRooms),
    assignment: breakoutAssignmentSchema,
    durationSeconds: z
      .number()
      .int()
      .min(breakoutLimits.minDuration)
      .max(breakoutLimits.maxDuration),
    /** manual: user ids per room, in room order (students left out stay in the main room). */
    manual: z.array(z.array(userId).max(500)).max(breakoutLimits.maxRooms).optional(),
  })
  .refine((o) => !o.manual || o.manual.length <= o.count, {
    message: 'manual lists more rooms than count',
    path: ['manual'],
  });
export type BreakoutOpen = z.input<typeof breakoutOpenSchema>;

/** Moves a member to a breakout (or back to the main room with null). */
export const breakoutMoveSchema = z.strictObject({
  userId,
  roomId: breakoutId.nullable(),
});
export const breakoutExtendSchema = z.strictObject({
  seconds: z.number().int().min(1).max(breakoutLimits.maxExtend),
});
/**
 * Closes every room: now, or when a countdown of `afterSeconds` ends (the rooms see it, as the
 * end of their time).
 */
export const breakoutCloseSchema = z.strictObject({
  afterSeconds: z.number().int().min(1).max(breakoutLimits.maxCloseCountdown).optional(),
});
export type BreakoutClose = z.input<typeof breakoutCloseSchema>;
export const breakoutSpeakSchema = z.strictObject({});
export const breakoutMessageSchema = z.strictObject({
  text: z.string().trim().min(1).max(breakoutLimits.maxMessageLength),
});

export interface BreakoutRoomInfo {
  id: string;
  name: string;
}

/** What every member of the class sees of the breakouts; null when none are open. */
export interface BreakoutState {
  rooms: BreakoutRoomInfo[];
  assignment: BreakoutAssignment;
  /** Epoch ms when everyone returns to the main room. */
  endsAt: number;
  /** Room of each member placed in a breakout, by user id (absent: main room). */
  placement: Record<string, string>;
  /** The teacher's microphone, camera and screen are piped into every breakout. */
  speakToAll: { peerId: string } | null;
}

/** To a moved participant: set media up again against the room's router. */
export interface BreakoutMoved {
  roomId: string | null;
  routerRtpCapabilities: Record<string, unknown>;
  producers: {
    producerId: string;
    peerId: string;
    kind: 'audio' | 'video';
    source: 'camera' | 'mic' | 'screen' | 'screenAudio' | 'ingest';
    paused: boolean;
  }[];
}

/** A breakout room of a class, kept after the breakouts close (its documents stay). */
export const breakoutRoomRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  classId: z.string(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  /** The collab document name of its whiteboard. */
  boardDocument: z.string(),
});
export type BreakoutRoomRecord = z.infer<typeof breakoutRoomRecordSchema>;
export const breakoutRoomListSchema = z.object({ breakouts: z.array(breakoutRoomRecordSchema) });
