import type { Kysely } from 'kysely';
import type { SignalingTables } from '../db/schema.js';

/**
 * Who a teacher removed from the current session of a class. Stored, so neither a reconnect
 * nor a restart lets them back in; the list is cleared when the teacher ends the class.
 */
export class Removals {
  constructor(private readonly db: Kysely<SignalingTables>) {}

  async add(classId: string, userId: string, by: string): Promise<void> {
    await this.db
      .insertInto('class_removals')
      .values({
        class_id: classId,
        user_id: userId,
        removed_by: by,
        removed_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
      .execute();
  }

  async has(classId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('class_removals')
      .select('user_id')
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async clear(classId: string): Promise<void> {
    await this.db.deleteFrom('class_removals').where('class_id', '=', classId).execute();
  }
}
