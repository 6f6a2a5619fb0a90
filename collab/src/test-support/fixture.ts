import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { CollabOptions } from '../index.js';
import type { AnyKysely } from '../store.js';
import type { TestClient } from './client.js';
import { migrate, openDb, tempDir } from './db.js';
import { startTestServer, type TestServer } from './server.js';

export interface Fixture {
  tmp: ReturnType<typeof tempDir>;
  db: AnyKysely;
  server: TestServer;
}

/** A migrated database in a temp dir and a collab server on it. */
export async function openFixture(extra: Partial<CollabOptions> = {}): Promise<Fixture> {
  const tmp = tempDir();
  const db = openDb(join(tmp.dir, 'collab.db'));
  await migrate(db);
  return { tmp, db, server: await startTestServer(db, extra) };
}

/** Disconnects the clients, then closes the server (the current one) and removes the data. */
export async function closeFixture(f: Fixture, clients: TestClient[] = []): Promise<void> {
  for (const c of clients.splice(0)) c.destroy();
  await f.server.close();
  await f.db.destroy();
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
