import type {
  BreakoutAssignment,
  BreakoutRoomInfo,
  BreakoutState,
  ProducerInfo,
} from '@educloud/protocol';
import type { Countdown } from './countdown.js';

/** The breakouts of one class while they run: rooms, clock, who is where, who speaks to all. */
export class ClassBreakouts {
  /** Room of each student placed in a breakout, by user id. */
  readonly placement = new Map<string, string>();
  speaker: { peerId: string; piped: Map<string, ProducerInfo> } | null = null;

  constructor(
    /** These breakouts as stored (a class opens new ones later under another id). */
    readonly sessionId: string,
    readonly rooms: BreakoutRoomInfo[],
    readonly assignment: BreakoutAssignment,
    readonly countdown: Countdown,
  ) {}

  has(roomId: string): boolean {
    return this.rooms.some((r) => r.id === roomId);
  }

  get roomIds(): string[] {
    return this.rooms.map((r) => r.id);
  }

  state(): BreakoutState {
    return {
      rooms: this.rooms,
      assignment: this.assignment,
      endsAt: this.countdown.endsAt,
      placement: Object.fromEntries(this.placement),
      speakToAll: this.speaker ? { peerId: this.speaker.peerId } : null,
    };
  }
}
