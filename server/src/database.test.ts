import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as collab from '@educloud/collab';
import * as ingest from '@educloud/rtmp-ingest';
import * as signaling from '@educloud/signaling';
import {
  createDatabase,
  startPostgres,
  type PostgresServer,
} from '../../test-support/postgres-server.js';
import { recordingSettingsMigrations } from './class-recording/recording-settings.js';
import { openDatabase } from './database.js';
import { startTestServer } from './test-support/test-server.js';

const migrations = {
  ...signaling.signalingMigrations,
  ...collab.collabMigrations,
  ...ingest.ingestMigrations,
  ...recordingSettingsMigrations,
};

describe('PostgreSQL when DATABASE_URL is set', () => {
  let server: PostgresServer;
  let dataDir: string;
  const open: Kysely<unknown>[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'educloud-db-'));
  });
  afterAll(async () => {
    for (const db of open) await db.destroy();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs every migration there, once, even with two nodes starting at once', async () => {
    const url = await createDatabase(server.url);
    const [a, b] = await Promise.all([
      openDatabase({ dataDir, databaseUrl: url }, migrations),
      openDatabase({ dataDir, databaseUrl: url }, migrations),
    ]);
    open.push(a, b);
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public'
    `.execute(a);
    const tables = rows.map((r) => r.table_name);
    expect(tables).toEqual(
      expect.arrayContaining(['users', 'classes', 'live_members', 'collab_updates', 'recordings']),
    );
    const applied = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(b);
    // count(*) is a PostgreSQL bigint: read as a number, as SQLite gives it.
    expect(applied.rows[0]!.n).toBe(Object.keys(migrations).length);
  });

  it('reads bigint columns as numbers, as on SQLite', async () => {
    const db = await openDatabase(
      { dataDir, databaseUrl: await createDatabase(server.url) },
      migrations,
    );
    open.push(db);
    const typed = db as unknown as Kysely<collab.CollabTables>;
    await typed
      .insertInto('collab_locks')
      .values({ doc_name: 'class/x/board', locked_at: 1_700_000_000_123 })
      .execute();
    const row = await typed.selectFrom('collab_locks').selectAll().executeTakeFirstOrThrow();
    expect(row.locked_at).toBe(1_700_000_000_123);
  });

  it('keeps SQLite without it', async () => {
    const db = await openDatabase({ dataDir }, migrations);
    open.push(db);
    const { rows } = await sql<{ v: string }>`select sqlite_version() as v`.execute(db);
    expect(rows[0]!.v).toMatch(/^3\./);
  });
});

// In the `postgres` project every suite's server gets a PostgreSQL database of its own: check
// that it really is one, or the second run of those suites would prove nothing.
it.runIf(inject('postgresUrl'))('runs this project on PostgreSQL', async () => {
  const s = await startTestServer();
  try {
    expect(s.databaseUrl).toMatch(/^postgres:\/\//);
    const { rows } = await sql<{ v: string }>`select version() as v`.execute(s.db);
    expect(rows[0]!.v).toMatch(/^PostgreSQL /);
  } finally {
    await s.stop();
  }
});
