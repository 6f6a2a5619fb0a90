import type { Kysely } from 'kysely';
import {
  breakoutDocumentName,
  type BreakoutAssignment,
  type BreakoutRoomInfo,
  type BreakoutRoomRecord,
} from '@educloud/protocol';
import type { SignalingTables } from '../../db/schema.js';

/** A class's running breakouts as stored: what a node needs to take them up again. */
export interface StoredBreakouts {
  sessionId: string;
  assignment: BreakoutAssignment;
  /** Epoch ms. */
  endsAt: number;
  rooms: BreakoutRoomInfo[];
  placement: Map<string, string>;
}

/**
 * Breakout rooms and placements in the database: a student who drops while in a breakout comes
 * back into it, and closed rooms stay listed on the class (their whiteboards are kept).
 */
export class BreakoutStore {
  constructor(
    private readonly db: Kysely<SignalingTables>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records a class's new breakouts and their rooms. Fails (primary key) while the class has
   * breakouts running already, also when another node opened them.
   */
  async open(
    classId: string,
    session: { sessionId: string; assignment: BreakoutAssignment; endsAt: number },
    rooms: BreakoutRoomInfo[],
  ): Promise<void> {
    const createdAt = this.now().toISOString();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('breakout_sessions')
        .values({
          class_id: classId,
          id: session.sessionId,
          assignment: session.assignment,
          ends_at: new Date(session.endsAt).toISOString(),
        })
        .execute();
      await tx
        .insertInto('breakout_rooms')
        .values(
          rooms.map((r, position) => ({
            id: r.id,
            class_id: classId,
            name: r.name,
            position,
            created_at: createdAt,
            closed_at: null,
          })),
        )
        .execute();
    });
  }

  /** A new end (extended, or "close in…"). */
  async setEnd(classId: string, sessionId: string, endsAt: number): Promise<void> {
    await this.db
      .updateTable('breakout_sessions')
      .set({ ends_at: new Date(endsAt).toISOString() })
      .where('class_id', '=', classId)
      .where('id', '=', sessionId)
      .execute();
  }

  /** The class's running breakouts, to take them up again (after a restart, on another node). */
  async running(classId: string): Promise<StoredBreakouts | undefined> {
    const row = await this.db
      .selectFrom('breakout_sessions')
      .selectAll()
      .where('class_id', '=', classId)
      .executeTakeFirst();
    if (!row) return undefined;
    const rooms = await this.db
      .selectFrom('breakout_rooms')
      .select(['id', 'name'])
      .where('class_id', '=', classId)
      .where('closed_at', 'is', null)
      .orderBy('position', 'asc')
      .execute();
    return {
      sessionId: row.id,
      assignment: row.assignment,
      endsAt: Date.parse(row.ends_at),
      rooms,
      placement: await this.placements(classId),
    };
  }

  /**
   * Ends the breakouts `sessionId` of the class, once: true for the caller that ended them,
   * false when they had ended already (another node, a teacher). With `endsAt` (the clock ran
   * out), also false when their end has moved since (extended on another node).
   */
  async finish(classId: string, sessionId: string, endsAt?: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      let claim = tx
        .deleteFrom('breakout_sessions')
        .where('class_id', '=', classId)
        .where('id', '=', sessionId);
      if (endsAt !== undefined) claim = claim.where('ends_at', '=', new Date(endsAt).toISOString());
      const { numDeletedRows } = await claim.executeTakeFirst();
      if (Number(numDeletedRows) === 0) return false;
      await tx.deleteFrom('breakout_placements').where('class_id', '=', classId).execute();
      await tx
        .updateTable('breakout_rooms')
        .set({ closed_at: this.now().toISOString() })
        .where('class_id', '=', classId)
        .where('closed_at', 'is', null)
        .execute();
      return true;
    });
  }

  async place(classId: string, placement: ReadonlyMap<string, string | null>): Promise<void> {
    if (placement.size === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const userIds = [...placement.keys()];
      await tx
        .deleteFrom('breakout_placements')
        .where('class_id', '=', classId)
        .where('user_id', 'in', userIds)
        .execute();
      const rows = [...placement]
        .filter((e): e is [string, string] => e[1] !== null)
        .map(([user_id, breakout_id]) => ({ class_id: classId, user_id, breakout_id }));
      if (rows.length > 0) await tx.insertInto('breakout_placements').values(rows).execute();
    });
  }

  async placements(classId: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('breakout_placements')
      .select(['user_id', 'breakout_id'])
      .where('class_id', '=', classId)
      .execute();
    return new Map(rows.map((r) => [r.user_id, r.breakout_id]));
  }

  /** Every breakout room the class ever had, newest first. */
  async list(classId: string): Promise<BreakoutRoomRecord[]> {
    const rows = await this.db
      .selectFrom('breakout_rooms')
      .selectAll()
      .where('class_id', '=', classId)
      .orderBy('created_at', 'desc')
      .orderBy('position', 'asc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      classId: r.class_id,
      createdAt: r.created_at,
      closedAt: r.closed_at,
      boardDocument: breakoutDocumentName(r.id),
    }));
  }

  /** Ids of every breakout room the class had (their documents go when the class goes). */
  async roomIds(classId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('breakout_rooms')
      .select('id')
      .where('class_id', '=', classId)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The class a breakout room belongs to (for the collab authorizer). */
  async classOf(breakoutId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('breakout_rooms')
      .select('class_id')
      .where('id', '=', breakoutId)
      .executeTakeFirst();
    return row?.class_id;
  }
}
