import { afterEach, beforeEach } from 'vitest';
import type { CollabOptions } from '../index.js';
import type { AnyKysely } from '../store.js';
import type { TestClient } from './client.js';
import { migrate, newDatabase, openDb, tempDir } from './db.js';
import { startTestServer, type TestServer } from './server.js';

export interface Fixture {
  tmp: ReturnType<typeof tempDir>;
  db: AnyKysely;
  dropDb: () => Promise<void>;
  server: TestServer;
}

/** A migrated database in a temp dir and a collab server on it. */
export async function openFixture(extra: Partial<CollabOptions> = {}): Promise<Fixture> {
  const tmp = tempDir();
  const where = await newDatabase(tmp.dir);
  const db = openDb(where.location);
  await migrate(db);
  return { tmp, db, dropDb: where.drop, server: await startTestServer(db, extra) };
}

/** Disconnects the clients, then closes the server (the current one) and removes the data. */
export async function closeFixture(
  f: Omit<Fixture, 'dropDb'> & Partial<Pick<Fixture, 'dropDb'>>,
  clients: TestClient[] = [],
): Promise<void> {
  for (const c of clients.splice(0)) c.destroy();
  await f.server.close();
  await f.db.destroy();
  // Suites that keep only tmp, db and server leave the database to the end of the run.
  await f.dropDb?.();
  f.tmp.remove();
}

/**
 * Opens a fresh fixture before each test of the enclosing suite and closes it, with the clients
 * pushed to `clients`, after each. Tests may replace `server` (a restart); the current one is closed.
 */
export function useFixture(
  options: () => Partial<CollabOptions> = () => ({}),
): Fixture & { clients: TestClient[] } {
  const f = { clients: [] as TestClient[] } as Fixture & { clients: TestClient[] };
  beforeEach(async () => {
    Object.assign(f, await openFixture(options()));
  });
  afterEach(() => closeFixture(f, f.clients));
  return f;
}
