import type { Kysely, Migration } from 'kysely';

export const ingestMigrations: Record<string, Migration> = {
  ingest_0001_recordings: {
    // Migrations run against whatever schema the composition root has.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('recordings')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('class_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('title', 'varchar(300)', (c) => c.notNull())
        .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('ended_at', 'varchar(32)')
        .addColumn('duration_ms', 'bigint')
        .addColumn('size_bytes', 'bigint')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('dir', 'varchar(512)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('recordings_class_started')
        .on('recordings')
        .columns(['class_id', 'started_at'])
        .execute();
      await db.schema.createIndex('recordings_status').on('recordings').column('status').execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      await db.schema.dropTable('recordings').execute();
    },
  },
  ingest_0050_recording_node: {
    // With several nodes sharing the database and the recordings directory, start-up recovery
    // must only finalize what its own node was writing. Older rows (one node) have no owner.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('recordings').addColumn('node_id', 'varchar(128)').execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      await db.schema.alterTable('recordings').dropColumn('node_id').execute();
    },
  },
  ingest_0030_class_recordings: {
    // A class's recordings are of two kinds: its OBS broadcasts and the live class itself.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('recordings')
        .addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('broadcast'))
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      await db.schema.alterTable('recordings').dropColumn('kind').execute();
    },
  },
};
