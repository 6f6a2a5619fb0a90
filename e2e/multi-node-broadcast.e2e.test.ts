/**
 * Two server processes sharing PostgreSQL, Redis, the recordings directory and one SECRET, as
 * docker-compose.yml deploys them: OBS publishes to node B, a member asking node A sees the
 * broadcast live and plays its HLS from node A; killed mid-broadcast, node B's recording is left
 * alone by node A's restart and finalized by node B's own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { publishLikeObs, type ObsPublisher } from '../server/src/test-support/obs-publish.js';
import {
  createDatabase,
  startPostgres,
  type PostgresServer,
} from '../test-support/postgres-server.js';
import { startRedis, type RedisServer } from '../test-support/redis-server.js';
import { classWithStudents } from './class-setup.js';
import { startServer, type E2eServer } from './harness.js';

let pg: PostgresServer;
let redis: RedisServer;
let recordingsDir: string;
let a: E2eServer;
let b: E2eServer;
let obs: ObsPublisher | undefined;
let classId: string;
let tokens: Record<string, string>;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  recordingsDir = await mkdtemp(path.join(os.tmpdir(), 'educloud-shared-recordings-'));
  const shared = {
    SECRET: 'm'.repeat(40),
    DATABASE_URL: await createDatabase(pg.url),
    REDIS_URL: redis.url,
    RECORDINGS_DIR: recordingsDir,
    HLS_SEGMENT_SECONDS: '1',
  };
  a = await startServer({ ...shared, NODE_ID: 'node-a' });
  b = await startServer({ ...shared, NODE_ID: 'node-b' });
  ({ classId, tokens } = await classWithStudents(a, 'Two nodes', ['sam']));
}, 120_000);

afterAll(async () => {
  obs?.child.kill('SIGKILL');
  await obs?.exited;
  await Promise.all([a?.close(), b?.close()]);
  await Promise.all([redis?.stop(), pg?.stop()]);
  await rm(recordingsDir, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('shows a broadcast published to node B as live on node A, and plays it from there', async () => {
  const key = await b.api('GET', `/api/classes/${classId}/stream-key`, undefined, tokens.teacher);
  obs = publishLikeObs(`rtmp://127.0.0.1:${b.rtmpPort}/live/${key.streamKey}`);
  const onB = await until('live on node B', async () => {
    const s = await b.api('GET', `/api/classes/${classId}/broadcast`, undefined, tokens.sam);
    return s.live && s;
  });
  // Node A has no RTMP connection: it learns of the broadcast from the shared store.
  const onA = await until('live on node A', async () => {
    const s = await a.api('GET', `/api/classes/${classId}/broadcast`, undefined, tokens.sam);
    return s.live && s;
  });
  expect(onA.recordingId).toBe(onB.recordingId);
  const playlist = await until('HLS segments served by node A', async () => {
    const res = await fetch(`${a.baseUrl}${onA.hlsUrl}`);
    const text = res.ok ? await res.text() : '';
    return /#EXTINF/.test(text) || /\.m3u8/.test(text) ? text : null;
  });
  expect(playlist).toMatch(/^#EXTM3U/);

  // kill -9 node B mid-broadcast, then restart node A: A's recovery leaves B's recording be.
  await b.kill();
  obs.child.kill('SIGKILL');
  await obs.exited;
  obs = undefined;
  await a.restart();
  const rec = (id: string) =>
    a
      .api('GET', `/api/classes/${classId}/recordings`, undefined, tokens.teacher)
      .then((r: { recordings: { id: string; status: string }[] }) =>
        r.recordings.find((x) => x.id === id),
      );
  expect((await rec(onB.recordingId))?.status).toBe('live');
  // Node B, back, finishes what it was writing.
  await b.restart();
  await until('recording finalized by node B', async () =>
    ['ready', 'failed'].includes((await rec(onB.recordingId))?.status ?? ''),
  );
  expect((await rec(onB.recordingId))?.status).toBe('ready');
  // And node A no longer calls the class live.
  const after = await a.api('GET', `/api/classes/${classId}/broadcast`, undefined, tokens.sam);
  expect(after.live).toBe(false);
});
