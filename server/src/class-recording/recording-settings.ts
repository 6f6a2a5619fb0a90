import type { Kysely, Migration } from 'kysely';
import type { ClassRecordingSettings } from '@educloud/protocol';

export interface RecordingSettingsTables {
  class_recording_settings: {
    class_id: string;
    /** 0 or 1 (portable boolean). */
    auto_record: number;
    updated_at: number;
  };
}

export const recordingSettingsMigrations: Record<string, Migration> = {
  server_0070_class_recording_settings: {
    // Migrations run against whatever schema the composition root has.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('class_recording_settings')
        .addColumn('class_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('auto_record', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      await db.schema.dropTable('class_recording_settings').execute();
    },
  },
};

const DEFAULTS: ClassRecordingSettings = { autoRecord: false };

/** A class's recording settings (the defaults until a teacher changes them). */
export async function getRecordingSettings(
  db: Kysely<RecordingSettingsTables>,
  classId: string,
): Promise<ClassRecordingSettings> {
  const row = await db
    .selectFrom('class_recording_settings')
    .select('auto_record')
    .where('class_id', '=', classId)
    .executeTakeFirst();
  return row ? { autoRecord: Number(row.auto_record) === 1 } : DEFAULTS;
}

export async function setRecordingSettings(
  db: Kysely<RecordingSettingsTables>,
  classId: string,
  s: ClassRecordingSettings,
): Promise<ClassRecordingSettings> {
  const values = { auto_record: s.autoRecord ? 1 : 0, updated_at: Date.now() };
  await db
    .insertInto('class_recording_settings')
    .values({ class_id: classId, ...values })
    .onConflict((oc) => oc.column('class_id').doUpdateSet(values))
    .execute();
  return getRecordingSettings(db, classId);
}
