import SQLite from 'better-sqlite3';
import { PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, dropDatabase } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The PostgreSQL server of the projects that run their suites on PostgreSQL (vitest.config.ts,
     * postgres-global-setup.ts); undefined elsewhere, where the suites use SQLite.
     */
    postgresUrl: string | undefined;
  }
}

export interface TestPostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on the project's PostgreSQL, or undefined when this project runs on SQLite.
 * Helpers that open a database call this, so the same suites run on both.
 */
export async function testPostgresDatabase(): Promise<TestPostgresDatabase | undefined> {
  const server = inject('postgresUrl');
  if (!server) return undefined;
  const url = await createDatabase(server);
  return { url, drop: () => dropDatabase(server, url) };
}

/**
 * Where a test's database lives: a fresh PostgreSQL database (its URL) in the projects that run
 * on PostgreSQL, else the given SQLite file. Pass it to testDialect() or to a child process.
 */
export async function testDatabaseLocation(
  sqliteFile: string,
): Promise<{ location: string; drop(): Promise<void> }> {
  const pg = await testPostgresDatabase();
  return pg ? { location: pg.url, drop: pg.drop } : { location: sqliteFile, drop: async () => {} };
}

/**
 * A Kysely dialect for a location from testDatabaseLocation(). PostgreSQL rows come back as the
 * pg driver gives them (bigint as a string): the parts must cope with that themselves.
 */
export function testDialect(location: string): Dialect {
  if (/^postgres(ql)?:\/\//.test(location)) {
    const pool = new pg.Pool({ connectionString: location, max: 5 });
    // The database is dropped WITH (FORCE) after the test, which cuts the pool's idle clients:
    // an error event without a listener would be an uncaught exception failing the whole run.
    // (A query on a cut client still fails, so nothing a test checks is hidden.)
    pool.on('error', () => undefined);
    return new PostgresDialect({ pool });
  }
  const database = new SQLite(location);
  if (location !== ':memory:') {
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
  }
  return new SqliteDialect({ database });
}
