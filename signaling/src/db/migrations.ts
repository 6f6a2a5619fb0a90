import { sql, type Kysely, type Migration } from 'kysely';

// Kysely<any> is what the Kysely docs prescribe for migrations: they must not depend on the
// current schema types, which evolve after the migration is written.
/* eslint-disable @typescript-eslint/no-explicit-any */
export const signalingMigrations: Record<string, Migration> = {
  signaling_0001_accounts_and_classes: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.unique())
        .addColumn('password_hash', 'text')
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('classes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('scheduled_start', 'text')
        .addColumn('scheduled_end', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('invite_code', 'text', (c) => c.unique())
        .addColumn('stream_key_salt', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('class_members')
        .addColumn('class_id', 'text', (c) =>
          c.notNull().references('classes.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('joined_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('class_members_pk', ['class_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('class_members_user')
        .on('class_members')
        .column('user_id')
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['class_members', 'classes', 'refresh_tokens', 'users']) {
        await db.schema.dropTable(t).execute();
      }
    },
  },
  signaling_0002_session_revocation: {
    async up(db: Kysely<any>) {
      // Tokens rotated from one log-in form a family: a replayed old one revokes the family.
      await db.schema.alterTable('refresh_tokens').addColumn('family_id', 'text').execute();
      await db
        .updateTable('refresh_tokens')
        .set({ family_id: sql.ref('id') })
        .execute();
      await db.schema
        .createIndex('refresh_tokens_family')
        .on('refresh_tokens')
        .column('family_id')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_user')
        .on('refresh_tokens')
        .column('user_id')
        .execute();
      // Access tokens carry the version they were issued at; bumping it ends them all.
      await db.schema
        .alterTable('users')
        .addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('users').dropColumn('session_version').execute();
      await db.schema.dropIndex('refresh_tokens_user').execute();
      await db.schema.dropIndex('refresh_tokens_family').execute();
      await db.schema.alterTable('refresh_tokens').dropColumn('family_id').execute();
    },
  },
};
