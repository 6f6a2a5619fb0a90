import type { Kysely } from 'kysely';
import type { SignalingTables } from '../db/schema.js';

/**
 * Students a teacher muted, per class and by user, stored: neither a reconnect nor a server
 * restart lifts the mute. The server refuses to resume their microphone until a teacher
 * allows it; the list is cleared when the class ends.
 */
export class ForcedMutes {
  constructor(private readonly db: Kysely<SignalingTables>) {}

  async has(classId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('class_forced_mutes')
      .select('user_id')
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async set(classId: string, userId: string, muted: boolean): Promise<void> {
    if (!muted) {
      await this.db
        .deleteFrom('class_forced_mutes')
        .where('class_id', '=', classId)
        .where('user_id', '=', userId)
        .execute();
      return;
    }
    await this.db
      .insertInto('class_forced_mutes')
      .values({ class_id: classId, user_id: userId, muted_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
      .execute();
  }

  async forget(classId: string): Promise<void> {
    await this.db.deleteFrom('class_forced_mutes').where('class_id', '=', classId).execute();
  }
}
