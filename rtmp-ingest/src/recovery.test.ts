import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type IngestHandle } from './index.js';
import type { IngestDatabase } from './schema.js';
import {
  captureLogger,
  ffprobe,
  newDatabase,
  openDb,
  playlistSegments,
  publish,
  readIfExists,
  removeDir,
  tempDir,
  waitFor,
  type Publisher,
} from './test-support/harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../..');

describe('crash recovery', () => {
  let dataDir: string;
  let dbFile: string;
  let dropDb: () => Promise<void>;
  let child: ChildProcess | null = null;
  let publisher: Publisher | null = null;
  let handle: IngestHandle | null = null;
  let db: Kysely<IngestDatabase> | null = null;

  beforeAll(async () => {
    // The child runs the compiled library: Node 20 cannot run TypeScript by itself.
    await promisify(execFile)(join(repoRoot, 'node_modules/.bin/tsc'), ['-b', 'rtmp-ingest'], {
      cwd: repoRoot,
    });
    dataDir = await tempDir();
    // A SQLite file, or a PostgreSQL URL in the PostgreSQL project: the child opens either.
    ({ location: dbFile, drop: dropDb } = await newDatabase(join(dataDir, 'test.sqlite')));
  }, 120_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    publisher?.child.kill('SIGKILL');
    await publisher?.exited;
    await handle?.close();
    await db?.destroy();
    await dropDb?.();
    await removeDir(dataDir);
  });

  it('finalizes a recording left live by a process killed with SIGKILL', async () => {
    child = spawn(
      process.execPath,
      [join(here, 'test-support/ingest-child.mjs'), dataDir, dbFile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const events: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) =>
      events.push(JSON.parse(l) as Record<string, unknown>),
    );
    const ready = await waitFor(
      () => events.find((e) => e.event === 'ready'),
      20_000,
      `child ready (${stderr})`,
    );
    publisher = publish(`rtmp://127.0.0.1:${String(ready.port)}/live/key-crash`);
    const started = await waitFor(
      () => events.find((e) => e.event === 'started'),
      20_000,
      'broadcast start',
    );
    const id = String(started.recordingId);
    const dir = join(dataDir, 'recordings', id);
    await waitFor(
      async () => {
        const t = await readIfExists(join(dir, 'index.m3u8'));
        return t && playlistSegments(t).length >= 3;
      },
      30_000,
      'segments',
    );

    // Power-cut style: the packager dies with the ingest, so it cannot list its last segment.
    const packagerPid = Number(await readIfExists(join(dir, 'packager.pid')));
    process.kill(packagerPid, 'SIGKILL');
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('close', r));
    publisher.child.kill('SIGKILL');
    await publisher.exited;

    const before = (await readIfExists(join(dir, 'index.m3u8')))!;
    expect(before).not.toContain('#EXT-X-ENDLIST');
    const listedBefore = playlistSegments(before).length;

    db = await openDb(dbFile);
    const row = await db
      .selectFrom('recordings')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row?.status).toBe('live');

    const cap = captureLogger();
    handle = await start({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      db,
      registry: new Registry(),
      logger: cap.logger,
      verifyStreamKey: async () => null,
    });
    const recovered = await handle.recovered;
    expect(recovered).toEqual([{ id, status: 'ready', durationMs: expect.any(Number) }]);

    const rec = (await handle.recordings.get(id))!;
    expect(rec.status).toBe('ready');
    expect(rec.endedAt).not.toBeNull();
    const playlist = (await readIfExists(join(dir, 'index.m3u8')))!;
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const segs = playlistSegments(playlist);
    // Every segment listed before the crash is kept (the half-written one may be adopted).
    expect(segs.length).toBeGreaterThanOrEqual(listedBefore);
    expect(playlist.startsWith(before.slice(0, before.lastIndexOf('.ts') + 3))).toBe(true);
    const listed = segs.reduce((a, b) => a + b, 0);
    const mp4 = await ffprobe(join(dir, 'recording.mp4'));
    expect(mp4?.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    expect(Math.abs(mp4!.durationSec! - listed)).toBeLessThanOrEqual(Math.max(...segs));
    expect(Math.abs(rec.durationMs! - mp4!.durationSec! * 1000)).toBeLessThan(10);
    expect(existsSync(join(dir, 'packager.pid'))).toBe(false);

    // Idempotent: nothing is left to recover.
    expect(await handle.recoverRecordings()).toEqual([]);
  });
});
