import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { collabMigrations } from '../migrations.js';
import type { AnyKysely } from '../store.js';

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'collab-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openDb(file: string): AnyKysely {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new Kysely({ dialect: new SqliteDialect({ database }) });
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
