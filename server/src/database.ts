import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';

/**
 * Opens the embedded SQLite database (WAL, so readers never wait on the writer) and applies
 * every part's migrations. Parts see only Kysely, so PostgreSQL is a dialect change here.
 */
export async function openDatabase(
  dataDir: string,
  migrations: Record<string, Migration>,
): Promise<Kysely<unknown>> {
  const sqlite = new Database(path.join(dataDir, 'educloud.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${String(error)}`);
  }
  return db;
}
