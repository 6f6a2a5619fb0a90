import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, type MigrationProvider } from 'kysely';
import { pino, type Logger } from 'pino';
import { testDatabaseLocation, testDialect } from '../../../test-support/test-database.js';
import { ingestMigrations } from '../migrations.js';
import type { IngestHandle } from '../index.js';
import type { IngestOptionsInput } from '../options.js';
import type { IngestDatabase } from '../schema.js';

export async function tempDir(prefix = 'ingest-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Where a test's database lives: `sqliteFile`, or a fresh PostgreSQL database (its URL) in the
 * project that runs the suites on PostgreSQL.
 */
export const newDatabase = testDatabaseLocation;

/**
 * Opens and migrates a database: the given location (a SQLite file or a postgres:// URL), else
 * SQLite in memory or, in the PostgreSQL project, a fresh PostgreSQL database.
 */
export async function openDb(location?: string): Promise<Kysely<IngestDatabase>> {
  const where = location ?? (await newDatabase(':memory:')).location;
  const db = new Kysely<IngestDatabase>({ dialect: testDialect(where) });
  const provider: MigrationProvider = { getMigrations: async () => ingestMigrations };
  const { error } = await new Migrator({
    db,
    provider,
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  if (error) throw error;
  return db;
}

export interface CapturedLog {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(s: string) {
        lines.push(JSON.parse(s) as CapturedLog);
      },
    },
  );
  return { logger, lines };
}

export interface Publisher {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Publishes like OBS does: x264 + AAC in FLV over RTMP. */
export function publish(url: string, opts: { seconds?: number } = {}): Publisher {
  const duration = opts.seconds ? ['-t', String(opts.seconds)] : [];
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      ...duration,
      '-i',
      'testsrc=size=640x360:rate=30',
      '-re',
      '-f',
      'lavfi',
      ...duration,
      '-i',
      'sine=frequency=440',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-g',
      '60',
      '-c:a',
      'aac',
      '-f',
      'flv',
      url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, exited, stderr: () => err };
}

export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

export interface Probe {
  durationSec: number | null;
  codecs: string[];
}

export function ffprobe(file: string): Promise<Probe | null> {
  return new Promise((resolve) => {
    const child = spawn(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) return resolve(null);
      const j = JSON.parse(out) as {
        format?: { duration?: string };
        streams?: { codec_name: string }[];
      };
      const d = j.format?.duration ? Number(j.format.duration) : null;
      resolve({ durationSec: d, codecs: (j.streams ?? []).map((s) => s.codec_name) });
    });
  });
}

export function playlistSegments(text: string): number[] {
  return [...text.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
}

/**
 * Options for an ingest on a loopback port with 1 s HLS segments and a short reconnect grace;
 * `keys` maps the accepted stream keys to their class ids.
 */
export function testIngestOptions(
  base: Pick<IngestOptionsInput, 'dataDir' | 'db' | 'registry' | 'logger'>,
  keys: Record<string, string>,
): IngestOptionsInput {
  return {
    port: 0,
    host: '127.0.0.1',
    ...base,
    verifyStreamKey: async (key) => (keys[key] ? { classId: keys[key] } : null),
    hls: { segmentSeconds: 1 },
    reconnectGraceMs: 1500,
  };
}

/** The RTMP address an ingest on `port` takes `key` at. */
export function rtmpUrl(port: number, key: string): string {
  return `rtmp://127.0.0.1:${port}/live/${key}`;
}

/** After a test: kills the publishers and waits for them, closes the ingest, removes the data. */
export async function tearDownIngest(t: {
  publishers: Publisher[];
  handle: IngestHandle | null;
  db: Kysely<IngestDatabase>;
  dataDir: string;
}): Promise<void> {
  for (const p of t.publishers) p.child.kill('SIGKILL');
  await Promise.all(t.publishers.map((p) => p.exited));
  await t.handle?.close();
  await t.db.destroy();
  await removeDir(t.dataDir);
}
