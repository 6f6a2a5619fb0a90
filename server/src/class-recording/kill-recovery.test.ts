/**
 * kill -9 while a class is recorded: the built server is killed mid-recording and started again
 * on the same data directory; the recording is finalized by the start-up recovery, playable,
 * and lacks at most the segment each track was writing. Media is an OBS-like RTMP broadcast
 * bridged into the class (H.264 + Opus), recorded like any producer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { countPackets, listSegments, probeDurationMs, probeMediaSpanMs } from '@educloud/sfu';
import { freePort } from '../../../test-support/free-port.js';
import { LiveClient } from '../test-support/live-client.js';
import { publishLikeObs } from '../test-support/obs-publish.js';
import { until } from '../test-support/until.js';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const children: ChildProcess[] = [];
const clients: LiveClient[] = [];
let dataDir: string;

function startBuiltServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, 'server/dist/main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise<{ child: ChildProcess; port: number }>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => fail(new Error(`server exited ${code}:\n${out}`)));
  });
}

afterAll(async () => {
  for (const c of clients) c.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null,
    ),
  );
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

it('a recording interrupted by kill -9 is recovered on the next start, lacking at most the last segment', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'educloud-kill9-'));
  const rtmpPort = await freePort();
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ALLOW_TEACHER_SIGNUP: 'true',
    MEDIASOUP_WORKERS: '1',
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_PORT: '0',
    RTMP_ENABLED: 'true',
    RTMP_PORT: String(rtmpPort),
    MIN_FREE_DISK_BYTES: '0',
    SECRET: 'kill-nine-test-secret-0123456789abcdefghijkl',
  };
  const first = await startBuiltServer(env);
  const api = async (
    port: number,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const signup = await api(first.port, 'POST', '/api/auth/signup', undefined, {
    email: 'teacher@k.test',
    password: 'longenough',
    displayName: 'teacher',
    role: 'teacher',
  });
  const teacher = signup.body.accessToken as string;
  const created = await api(first.port, 'POST', '/api/classes', teacher, { title: 'Kill' });
  const classId = created.body.class.id as string;
  const key = await api(first.port, 'GET', `/api/classes/${classId}/stream-key`, teacher);

  const t = new LiveClient(first.port, teacher);
  clients.push(t);
  await t.connected();
  await t.ok('class:join', { classId });
  await t.ok('class:start', {});
  const obs = publishLikeObs(`rtmp://127.0.0.1:${rtmpPort}/live/${key.body.streamKey}`);
  children.push(obs.child);
  await t.next('producer:new', (p: { source: string; kind: string }) => p.kind === 'video', 60_000);

  const { recordingId } = await t.ok('recording:start', {});
  const dir = join(dataDir, 'recordings', recordingId!);
  const tracksDir = join(dir, 'tracks');
  // Wait for several segments of video and audio on disk.
  await until(
    async () => {
      const tracks = await readdir(tracksDir).catch(() => [] as string[]);
      if (tracks.length < 2) return false;
      for (const tr of tracks)
        if ((await listSegments(join(tracksDir, tr))).length < 4) return false;
      return true;
    },
    90_000,
    'four segments per track',
  );
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  obs.child.kill('SIGKILL');
  t.close();

  // What was safely written: every segment but the newest of each track (it may be cut short).
  const tracks = await readdir(tracksDir);
  const complete = new Map<string, number>();
  for (const tr of tracks) {
    const segs = await listSegments(join(tracksDir, tr));
    let ms = 0;
    for (const seg of segs.slice(0, -1))
      ms += await probeMediaSpanMs('ffprobe', join(tracksDir, tr, seg));
    complete.set(tr, ms);
    expect(ms).toBeGreaterThan(0);
  }

  const second = await startBuiltServer(env);
  const login = await api(second.port, 'POST', '/api/auth/login', undefined, {
    email: 'teacher@k.test',
    password: 'longenough',
  });
  const token = login.body.accessToken as string;
  const row = await until(
    async () => {
      const list = await api(second.port, 'GET', `/api/classes/${classId}/recordings`, token);
      const r = list.body?.recordings?.find((x: { id: string }) => x.id === recordingId);
      return r && r.status !== 'live' && r.status !== 'finalizing' ? r : null;
    },
    120_000,
    'the recording to be recovered',
  );
  expect(row).toMatchObject({ kind: 'class', status: 'ready' });
  const replay = await api(
    second.port,
    'GET',
    `/api/classes/${classId}/recordings/${recordingId}/replay`,
    token,
  );
  expect(replay.status).toBe(200);
  const files = replay.body.manifest.tracks.filter((x: { file: string | null }) => x.file);
  expect(files.map((x: { kind: string }) => x.kind).sort()).toEqual(['audio', 'video']);
  for (const f of files) {
    const path = join(dir, f.file);
    // Playable: ffprobe reads packets and a duration at least that of the complete segments.
    expect(await countPackets('ffprobe', path)).toBeGreaterThan(10);
    const ms = (await probeDurationMs('ffprobe', path)) ?? 0;
    expect(ms).toBeGreaterThanOrEqual(complete.get(f.trackId)! - 100);
  }
  // No orphaned track writer is left running.
  for (const tr of tracks) {
    expect(await readdir(join(tracksDir, tr))).not.toContain('ffmpeg.pid');
  }
}, 300_000);
