import type { Kysely } from 'kysely';
import { defaultClassSettings, type ClassSettings } from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';

/** The teachers' settings of each class, stored so they survive a restart; read-through cache. */
export class ClassSettingsStore {
  private readonly cache = new Map<string, ClassSettings>();

  constructor(private readonly db: Kysely<SignalingTables>) {}

  async get(classId: string): Promise<ClassSettings> {
    const cached = this.cache.get(classId);
    if (cached) return cached;
    const row = await this.db
      .selectFrom('class_settings')
      .selectAll()
      .where('class_id', '=', classId)
      .executeTakeFirst();
    const settings: ClassSettings = row
      ? {
          studentsMayUnmute: row.students_may_unmute === 1,
          studentsMayShareScreen: row.students_may_share_screen === 1,
          chatEnabled: row.chat_enabled === 1,
          locked: row.locked === 1,
          waitingRoom: row.waiting_room === 1,
        }
      : { ...defaultClassSettings };
    this.cache.set(classId, settings);
    return settings;
  }

  async update(classId: string, patch: Partial<ClassSettings>): Promise<ClassSettings> {
    const next = { ...(await this.get(classId)), ...patch };
    const values = {
      students_may_unmute: Number(next.studentsMayUnmute),
      students_may_share_screen: Number(next.studentsMayShareScreen),
      chat_enabled: Number(next.chatEnabled),
      locked: Number(next.locked),
      waiting_room: Number(next.waitingRoom),
      updated_at: new Date().toISOString(),
    };
    await this.db
      .insertInto('class_settings')
      .values({ class_id: classId, ...values })
      .onConflict((oc) => oc.column('class_id').doUpdateSet(values))
      .execute();
    this.cache.set(classId, next);
    return next;
  }
}
