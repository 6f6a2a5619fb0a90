// A collab server in its own process, for tests that kill it or run two of them. It runs the
// compiled library (collab/dist) with plain node: `node child-server.mjs <db> [redis url]`, the db
// being a SQLite file or a postgres:// URL.
// Prints one JSON line `{"port": n}` on stdout when listening.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { collabMigrations, start } from '../../dist/index.js';

const [dbFile, redisUrl] = process.argv.slice(2);
function dialect() {
  if (/^postgres(ql)?:\/\//.test(dbFile)) {
    return new PostgresDialect({ pool: new pg.Pool({ connectionString: dbFile, max: 5 }) });
  }
  const database = new Database(dbFile);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database });
}
const db = new Kysely({ dialect: dialect() });
const migrator = new Migrator({
  db,
  provider: { getMigrations: async () => collabMigrations },
  allowUnorderedMigrations: true,
});
const { error } = await migrator.migrateToLatest();
if (error) throw error;

const http = createServer((_req, res) => res.writeHead(404).end());
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const handle = await start({
  httpServer: http,
  db,
  logger: pino({ level: process.env.COLLAB_TEST_LOG ?? 'warn' }, pino.destination(2)),
  registry: new Registry(),
  redisUrl: redisUrl || undefined,
  authorize: async (token) =>
    token.startsWith('student-') ? { userId: token, name: token, canWrite: true } : null,
});
process.stdout.write(JSON.stringify({ port: http.address().port }) + '\n');

process.on('SIGTERM', async () => {
  await handle.close();
  http.closeAllConnections();
  http.close();
  await db.destroy();
  process.exit(0);
});
