// Runs the compiled ingest in its own process so a test can kill -9 it mid-broadcast.
// argv: dataDir db (a SQLite file or a postgres:// URL)
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ingestMigrations, start } from '../../dist/index.js';

const [dataDir, dbFile] = process.argv.slice(2);
const db = new Kysely({
  dialect: /^postgres(ql)?:\/\//.test(dbFile)
    ? new PostgresDialect({ pool: new pg.Pool({ connectionString: dbFile, max: 5 }) })
    : new SqliteDialect({ database: new SQLite(dbFile) }),
});
const { error } = await new Migrator({
  db,
  provider: { getMigrations: async () => ingestMigrations },
  allowUnorderedMigrations: true,
}).migrateToLatest();
if (error) throw error;

const handle = await start({
  port: 0,
  host: '127.0.0.1',
  dataDir,
  db,
  registry: new Registry(),
  logger: pino({ level: 'info' }, process.stderr),
  verifyStreamKey: async (key) => (key === 'key-crash' ? { classId: 'class-crash' } : null),
  hls: { segmentSeconds: 1 },
  reconnectGraceMs: 1500,
});
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
handle.on('broadcastStarted', (e) => say({ event: 'started', ...e }));
say({ event: 'ready', port: handle.port });
