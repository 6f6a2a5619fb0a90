import { PostgresAdapter, type Kysely, type Migration } from 'kysely';

// SQLite calls binary columns `blob`, PostgreSQL `bytea`; everything else here is plain SQL.
function binaryType(db: Kysely<unknown>): 'blob' | 'bytea' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
}

export const collabMigrations: Record<string, Migration> = {
  collab_0001_updates: {
    async up(db: Kysely<unknown>) {
      // Append-only log. `seq` is per document and allocated as max(seq) + 1 under a unique key,
      // so two nodes writing the same document retry instead of interleaving silently.
      await db.schema
        .createTable('collab_updates')
        .addColumn('doc_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('data', binaryType(db), (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('author_id', 'varchar(255)')
        .addPrimaryKeyConstraint('collab_updates_pk', ['doc_name', 'seq'])
        .execute();
      await db.schema
        .createIndex('collab_updates_doc_time')
        .on('collab_updates')
        .columns(['doc_name', 'created_at'])
        .execute();
      // A snapshot covers every log row of its document with seq <= upto_seq; `covers_until` is
      // the newest created_at among them, which lets loadDocumentAt start from a snapshot.
      await db.schema
        .createTable('collab_snapshots')
        .addColumn('doc_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('upto_seq', 'bigint', (c) => c.notNull())
        .addColumn('state', binaryType(db), (c) => c.notNull())
        .addColumn('covers_until', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('collab_snapshots_pk', ['doc_name', 'upto_seq'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('collab_snapshots').execute();
      await db.schema.dropTable('collab_updates').execute();
    },
  },
  collab_0002_locks: {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('collab_locks')
        .addColumn('doc_name', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('locked_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('collab_locks').execute();
    },
  },
  collab_0003_epochs: {
    async up(db: Kysely<unknown>) {
      // A reset starts a new epoch from a small base state; log rows and snapshots are tagged
      // with the epoch they belong to, so older ones stay as history but are never loaded.
      await db.schema
        .alterTable('collab_updates')
        .addColumn('epoch', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('collab_snapshots')
        .addColumn('epoch', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('collab_epochs')
        .addColumn('doc_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('epoch', 'integer', (c) => c.notNull())
        .addColumn('base_state', binaryType(db), (c) => c.notNull())
        .addColumn('previous_state', binaryType(db))
        .addColumn('action', 'varchar(16)', (c) => c.notNull())
        .addColumn('author_id', 'varchar(255)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('collab_epochs_pk', ['doc_name', 'epoch'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('collab_epochs').execute();
      await db.schema.alterTable('collab_snapshots').dropColumn('epoch').execute();
      await db.schema.alterTable('collab_updates').dropColumn('epoch').execute();
    },
  },
};
