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
  signaling_0002_class_activity: {
    async up(db: Kysely<any>) {
      const classRef = (c: any) => c.notNull().references('classes.id').onDelete('cascade');
      await db.schema
        .createTable('class_chat_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class_id', 'text', classRef)
        .addColumn('sender_id', 'text', (c) => c.notNull())
        .addColumn('sender_name', 'text', (c) => c.notNull())
        .addColumn('sender_role', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .addColumn('deleted_by', 'text')
        .execute();
      await db.schema
        .createIndex('class_chat_messages_class_sent')
        .on('class_chat_messages')
        .columns(['class_id', 'sent_at'])
        .execute();
      await db.schema
        .createTable('class_polls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class_id', 'text', classRef)
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('question', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('multiple', 'integer', (c) => c.notNull())
        .addColumn('anonymous', 'integer', (c) => c.notNull())
        .addColumn('correct', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('shared', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .execute();
      await db.schema
        .createIndex('class_polls_class')
        .on('class_polls')
        .columns(['class_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('class_poll_votes')
        .addColumn('poll_id', 'text', (c) =>
          c.notNull().references('class_polls.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('choices', 'text', (c) => c.notNull())
        .addColumn('voted_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('class_poll_votes_pk', ['poll_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('class_settings')
        .addColumn('class_id', 'text', (c) =>
          c.primaryKey().references('classes.id').onDelete('cascade'),
        )
        .addColumn('students_may_unmute', 'integer', (c) => c.notNull())
        .addColumn('students_may_share_screen', 'integer', (c) => c.notNull())
        .addColumn('chat_enabled', 'integer', (c) => c.notNull())
        .addColumn('locked', 'integer', (c) => c.notNull())
        .addColumn('waiting_room', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('class_removals')
        .addColumn('class_id', 'text', classRef)
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('removed_by', 'text', (c) => c.notNull())
        .addColumn('removed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('class_removals_pk', ['class_id', 'user_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of [
        'class_removals',
        'class_settings',
        'class_poll_votes',
        'class_polls',
        'class_chat_messages',
      ]) {
        await db.schema.dropTable(t).execute();
      }
    },
  },
  signaling_0003_forced_mutes: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('class_forced_mutes')
        .addColumn('class_id', 'text', (c) =>
          c.notNull().references('classes.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('muted_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('class_forced_mutes_pk', ['class_id', 'user_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('class_forced_mutes').execute();
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
  signaling_0010_live_state: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('live_classes')
        .addColumn('class_id', 'text', (c) =>
          c.primaryKey().references('classes.id').onDelete('cascade'),
        )
        .addColumn('started_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('live_members')
        .addColumn('class_id', 'text', (c) =>
          c.notNull().references('classes.id').onDelete('cascade'),
        )
        .addColumn('peer_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('hand_raised', 'integer', (c) => c.notNull())
        .addColumn('hand_raised_at', 'bigint')
        .addColumn('forced_mute', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('live_members_pk', ['class_id', 'peer_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('live_members').execute();
      await db.schema.dropTable('live_classes').execute();
    },
  },
  signaling_0040_live_stage: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('live_stage')
        .addColumn('class_id', 'text', (c) =>
          c.primaryKey().references('classes.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('live_stage').execute();
    },
  },
  signaling_0020_breakouts: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('breakout_rooms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class_id', 'text', (c) =>
          c.notNull().references('classes.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .execute();
      await db.schema
        .createIndex('breakout_rooms_class')
        .on('breakout_rooms')
        .columns(['class_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('breakout_placements')
        .addColumn('class_id', 'text', (c) =>
          c.notNull().references('classes.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('breakout_id', 'text', (c) =>
          c.notNull().references('breakout_rooms.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('breakout_placements_pk', ['class_id', 'user_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('breakout_placements').execute();
      await db.schema.dropTable('breakout_rooms').execute();
    },
  },
  signaling_0060_breakout_sessions: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('breakout_sessions')
        .addColumn('class_id', 'text', (c) =>
          c.primaryKey().references('classes.id').onDelete('cascade'),
        )
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('assignment', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('breakout_sessions').execute();
    },
  },
};
