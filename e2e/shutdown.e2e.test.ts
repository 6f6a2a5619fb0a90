import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it('serves the web client and the API from one process, and stops cleanly on SIGTERM', async () => {
  server = await startServer();
  const page = await fetch(`${server.baseUrl}/join/some-invite-code-here`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html).toContain('<div id="root">');
  // Every script and stylesheet is ours: nothing is fetched from a CDN.
  const external = [...html.matchAll(/(?:src|href)="(https?:[^"]+)"/g)].map((m) => m[1]);
  expect(external).toEqual([]);
  const health = await fetch(`${server.baseUrl}/healthz`);
  expect(await health.json()).toEqual({ status: 'ok' });

  const exit = new Promise<number | null>((r) => server!.process.once('exit', (code) => r(code)));
  server.process.kill('SIGTERM');
  expect(await exit).toBe(0);
});

it('refuses to start with a bad setting and names it', async () => {
  await expect(startServer({ PORT: 'eighty' })).rejects.toThrow(/PORT: must be a port number/);
});

it('finalizes a live recording when the server gets SIGTERM', async () => {
  server = await startServer();
  const s = server;
  const t = await s.api('POST', '/api/auth/signup', {
    email: 'obs@example.org',
    password: 'long password',
    displayName: 'Teacher',
    role: 'teacher',
  });
  const c = await s.api('POST', '/api/classes', { title: 'Broadcast' }, t.accessToken);
  const classId = c.class.id;
  const { streamKey } = await s.api(
    'GET',
    `/api/classes/${classId}/stream-key`,
    undefined,
    t.accessToken,
  );
  const obs = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '30'],
      ...['-c:a', 'aac', '-f', 'flv', `rtmp://127.0.0.1:${s.rtmpPort}/live/${streamKey}`],
    ],
    { stdio: 'ignore' },
  );
  try {
    let recordingId: string | null = null;
    for (let i = 0; i < 60 && !recordingId; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const status = await s.api(
        'GET',
        `/api/classes/${classId}/broadcast`,
        undefined,
        t.accessToken,
      );
      recordingId = status.live ? status.recordingId : null;
    }
    expect(recordingId).toBeTruthy();
    const dir = path.join(s.dataDir, 'recordings', recordingId!);
    // Wait for a few complete segments, then stop the server mid-broadcast.
    for (let i = 0; i < 80; i++) {
      const playlist = await readFile(path.join(dir, 'index.m3u8'), 'utf8').catch(() => '');
      if ((playlist.match(/#EXTINF/g) ?? []).length >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const exit = new Promise<number | null>((r) => s.process.once('exit', (code) => r(code)));
    s.process.kill('SIGTERM');
    expect(await exit).toBe(0);
    const playlist = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect((playlist.match(/#EXTINF/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect((await stat(path.join(dir, 'recording.mp4'))).size).toBeGreaterThan(10_000);
  } finally {
    obs.kill('SIGKILL');
  }
});
