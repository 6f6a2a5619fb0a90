import path from 'node:path';
import Database from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type Dialect,
  type Migration,
} from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

export interface DatabaseLocation {
  /** The SQLite file lives here when no `databaseUrl` is given. */
  dataDir: string;
  /** `postgres://…`: PostgreSQL instead of the embedded SQLite file. */
  databaseUrl?: string | undefined;
  logger?: Logger;
}

// PostgreSQL hands bigint (int8) and numeric (sum of bigints) back as strings, to be exact
// beyond 2^53. Ours are milliseconds, bytes and counts, far below that: as numbers, rows read
// the same as on SQLite, so domain code does not branch on the dialect.
const PG_INT8 = 20;
const PG_NUMERIC = 1700;
function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === PG_INT8 || oid === PG_NUMERIC
        ? (v: string) => Number(v)
        : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

function sqliteDialect(dataDir: string): Dialect {
  const sqlite = new Database(path.join(dataDir, 'educloud.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database: sqlite });
}

function postgresDialect(url: string, logger: Logger | undefined): Dialect {
  const pool = new pg.Pool({ connectionString: url, types: pgTypes(), max: 10 });
  // An idle client losing its connection (database restart) must not crash the process; the
  // pool replaces it on the next query.
  pool.on('error', (err) => logger?.warn({ err }, 'idle database connection lost'));
  return new PostgresDialect({ pool });
}

/**
 * Opens the database — PostgreSQL when a URL is given, otherwise the embedded SQLite file (WAL,
 * so readers never wait on the writer) — and applies every part's migrations. Parts see only
 * Kysely, so the dialect is decided here alone.
 */
export async function openDatabase(
  where: DatabaseLocation,
  migrations: Record<string, Migration>,
): Promise<Kysely<unknown>> {
  const dialect = where.databaseUrl
    ? postgresDialect(where.databaseUrl, where.logger)
    : sqliteDialect(where.dataDir);
  const db = new Kysely<unknown>({ dialect });
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
