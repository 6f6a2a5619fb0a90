import type { Kysely } from 'kysely';
import { breakoutDocumentName, type BreakoutRoomRecord } from '@educloud/protocol';
import type { SignalingTables } from '../../db/schema.js';

/**
 * Breakout rooms and placements in the database: a student who drops while in a breakout comes
 * back into it, and closed rooms stay listed on the class (their whiteboards are kept).
 */
export class BreakoutStore {
  constructor(
    private readonly db: Kysely<SignalingTables>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createRooms(classId: string, rooms: { id: string; name: string }[]): Promise<void> {
    const createdAt = this.now().toISOString();
    await this.db
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

  /** The open rooms are closed (kept, with their documents); placements are forgotten. */
  async close(classId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('breakout_placements').where('class_id', '=', classId).execute();
      await tx
        .updateTable('breakout_rooms')
        .set({ closed_at: this.now().toISOString() })
        .where('class_id', '=', classId)
        .where('closed_at', 'is', null)
        .execute();
    });
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
