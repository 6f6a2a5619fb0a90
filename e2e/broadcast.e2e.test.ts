/**
 * OBS → server → browsers, with a real ffmpeg publishing like OBS: a student watches the
 * broadcast over HLS on the watch page, another student in the live room decodes it over the
 * WebRTC bridge, and once the publisher dies the recording replays on its page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  launchBrowser,
  newContext,
  recordPageErrors,
  logIn,
  unexpectedPageErrors,
} from './browser.js';
import { classWithStudents } from './class-setup.js';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer;
let browser: Browser;
let classId: string;
let streamKey: string;
let publisher: ChildProcess | undefined;
const tokens: Record<string, string> = {};
const pageErrors: Record<string, string[]> = {};

const api = (method: string, path: string, body?: unknown, token?: string) =>
  server.api(method, path, body, token);

function publish(): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440'],
      // OBS's x264 defaults: High profile with B-frames, which the bridge passes through.
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-bf', '2'],
      ...['-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac', '-f', 'flv'],
      `rtmp://127.0.0.1:${server.rtmpPort}/live/${streamKey}`,
    ],
    { stdio: 'ignore' },
  );
}

async function logInAs(name: string): Promise<Page> {
  const context = await newContext(browser, server.baseUrl);
  const page = await context.newPage();
  pageErrors[name] = recordPageErrors(page);
  await logIn(page, `${name}@example.org`);
  return page;
}

/** Resolves once the page's <video> has played `seconds` further than when first seen playing. */
async function playsOn(page: Page, seconds: number, ms = 45_000): Promise<number> {
  const video = page.getByTestId('hls-video');
  await video.waitFor({ timeout: ms });
  const deadline = Date.now() + ms;
  let first: number | null = null;
  let t = 0;
  while (Date.now() < deadline) {
    t = await video.evaluate((v: HTMLVideoElement) => (v.readyState >= 2 ? v.currentTime : -1));
    if (t >= 0 && first === null) first = t;
    if (first !== null && t - first >= seconds) return t;
    await page.waitForTimeout(500);
  }
  throw new Error(`video did not advance ${seconds} s (first ${first}, last ${t})`);
}

beforeAll(async () => {
  server = await startServer({ RTMP_RECONNECT_GRACE_MS: '1000' });
  const set = await classWithStudents(server, 'OBS physics', ['alice', 'bob']);
  classId = set.classId;
  Object.assign(tokens, set.tokens);
  streamKey = (await api('GET', `/api/classes/${classId}/stream-key`, undefined, tokens.teacher))
    .streamKey;
  browser = await launchBrowser();
});

afterAll(async () => {
  if (publisher && publisher.exitCode === null) publisher.kill('SIGKILL');
  await browser?.close();
  await server?.close();
});

it('plays the live broadcast on the watch page and bridges it into the live room', async () => {
  const alice = await logInAs('alice');
  await alice.goto(`/classes/${classId}/watch`);
  await alice.getByTestId('watch-offline').waitFor();

  const bob = await logInAs('bob');
  await bob.goto(`/classes/${classId}`);
  await bob.getByTestId('join-live').click();
  await bob.locator('[data-testid="live-room"][data-status="joined"]').waitFor({ timeout: 30_000 });

  publisher = publish();
  // The watch page polls the status and starts playing by itself.
  await alice
    .locator('[data-testid="watch-status"][data-live="true"]')
    .waitFor({ timeout: 30_000 });
  await playsOn(alice, 3);

  await expect
    .poll(
      async () => {
        const stats = await bob.evaluate(() => window.educloudLive!.inboundStats());
        return stats.some(
          (s) => s.source === 'ingest' && s.kind === 'video' && s.framesDecoded > 0,
        );
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(true);
  const stats = await bob.evaluate(() => window.educloudLive!.inboundStats());
  expect(
    stats.some((s) => s.source === 'ingest' && s.kind === 'audio' && s.packetsReceived > 0),
  ).toBe(true);
});

it('replays the recording once the publisher is gone', async () => {
  publisher!.kill('SIGKILL');
  let rid = '';
  await expect
    .poll(
      async () => {
        const r = await api('GET', `/api/classes/${classId}/recordings`, undefined, tokens.alice);
        rid = r.recordings?.[0]?.id ?? '';
        return r.recordings?.[0]?.status;
      },
      { timeout: 45_000, interval: 500 },
    )
    .toBe('ready');
  const teacher = await logInAs('teacher');
  await teacher.goto(`/classes/${classId}`);
  const item = teacher.locator(`[data-testid="recording-item"][data-recording-id="${rid}"]`);
  await item.waitFor({ timeout: 15_000 });
  await item.getByTestId('recording-play').click();
  await teacher.getByTestId('replay-title').waitFor();
  await playsOn(teacher, 2);
  // Seek near the start and play faster: the page keeps playing.
  await teacher.getByTestId('hls-video').evaluate((v: HTMLVideoElement) => {
    v.currentTime = 0.5;
    v.playbackRate = 2;
  });
  await playsOn(teacher, 1);
  expect(await teacher.getByTestId('replay-download').getAttribute('href')).toMatch(
    new RegExp(`^/hls/${rid}/[^/]+/recording\\.mp4$`),
  );
  for (const [name, errors] of Object.entries(pageErrors)) {
    expect(unexpectedPageErrors(errors), name).toEqual([]);
  }
});
