import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator } from 'kysely';
import { testDatabaseLocation, testDialect } from '../../../test-support/test-database.js';
import { collabMigrations } from '../migrations.js';
import type { AnyKysely } from '../store.js';

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'collab-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A SQLite file in `dir`, or a fresh PostgreSQL database in the PostgreSQL project. */
export function newDatabase(dir: string): ReturnType<typeof testDatabaseLocation> {
  return testDatabaseLocation(join(dir, 'collab.db'));
}

/** Opens a location from newDatabase(): a SQLite file or a PostgreSQL URL. */
export function openDb(location: string): AnyKysely {
  return new Kysely({ dialect: testDialect(location) });
}

export async function migrate(db: AnyKysely): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => collabMigrations },
    allowUnorderedMigrations: true,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
