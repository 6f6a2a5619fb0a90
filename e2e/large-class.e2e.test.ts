/**
 * Last-N in real Chromium: a teacher (the observer, camera and microphone off) and five
 * students with small fake cameras and microphones, tabs of one browser, through the real
 * server with MEDIA_LAST_N=2. The observer hears every microphone but decodes only the two
 * most recent speakers' cameras (the others' tiles show a name); when a recent speaker last-N
 * held back speaks again, their camera reaches the observer by resuming a consumer it already
 * has (dynacast kept that camera's lowest layer on standby). The switch is a hand-over (the
 * speaker mutes as the next one unmutes), timed from the next one's unmute to the first frame
 * the observer's page presents (requestVideoFrameCallback); that latency is printed, not
 * asserted (bench/live-speaker-switch.bench.mjs measures it).
 *
 * Speakers take turns one at a time: every fake microphone beeps alike, and the server replaces
 * a dominant speaker only with a clearly louder one, so with several on (the teacher's too) the
 * speaker could stay on one of them for good; earlier versions failed that way. A failure
 * reports what the observer receives, what each unheard student sends, and the switch's marks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import chromiumFlags from './chromium-flags.json' with { type: 'json' };
import { logInByApi } from './api-login.js';
import { newContext } from './browser.js';
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
  const context = await newContext(
    browser,
    server.baseUrl,
    name === 'teacher' ? { width: 1280, height: 900 } : { width: 640, height: 480 },
  );
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

/** Whose microphone is on (the students join with it on). */
const micOn: Record<string, boolean> = Object.fromEntries(students.map((s) => [s, true]));

async function setMic(name: string, on: boolean) {
  if (micOn[name] === on) return;
  await pages[name]!.getByTestId('toggle-mic').click();
  micOn[name] = on;
}

/**
 * `name` speaks alone (everyone else muted) until the server names them the active speaker,
 * as the observer hears it. Every fake microphone beeps alike, and the server replaces a
 * dominant speaker only with a clearly louder one: one voice at a time makes each turn certain.
 */
async function speakAlone(name: string, ids: Record<string, string>) {
  await setMic(name, true);
  await Promise.all(students.filter((s) => s !== name).map((s) => setMic(s, false)));
  await until(`the server names ${name} the active speaker`, async () => {
    await pages.teacher!.waitForTimeout(200);
    const active = await pages.teacher!.evaluate(
      () => window.educloudLive!.speakers.snapshot().active,
    );
    return active === ids[name] ? true : undefined;
  });
}

/**
 * A retry (CI) starts afresh: the failed attempt's pages go, and everyone joins again. Left
 * open, they would meet the new ones ("You opened this class in another tab").
 */
async function closePages() {
  for (const [name, page] of Object.entries(pages)) {
    await page.context().close();
    delete pages[name];
  }
  for (const s of students) micOn[s] = true;
}

it('gives an observer with N=2 two cameras and every microphone', async ({ task }) => {
  const retry = (task.result?.retryCount ?? 0) > 0;
  if (retry) await closePages();
  const teacher = await enterRoom('teacher');
  // On a retry the class is live already, from the first attempt.
  if (!retry) await teacher.getByTestId('start-class').click();
  await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
  // The observer's own camera is beside the point here (and costs CPU): off. So is its
  // microphone: a teacher that became the dominant speaker with the same beep as everyone
  // would keep the students from ever taking over.
  await teacher.getByTestId('toggle-camera').click();
  await teacher.getByTestId('toggle-mic').click();
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
  // A discussion: the target, then a, then b speak in turn. Last-N keeps the two most recent
  // (b and a): the observer consumes all five cameras and decodes exactly theirs.
  const [a, b, target] = students;
  for (const name of [target!, a!, b!]) await speakAlone(name, ids);
  step('target, a, b spoke in turn');
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
  // The tiles follow the selection: a's and b's play video, the three held back show a name.
  await expect
    .poll(
      () =>
        teacher.evaluate(
          (names) =>
            names.map((name) => {
              const tile = document.querySelector(`[data-testid="tile-${name}"]`);
              const video = (tile?.querySelectorAll('video').length ?? 0) > 0;
              return `${name}:${video ? 'video' : tile?.textContent?.includes(name) ? 'name' : '?'}`;
            }),
          [...students],
        ),
      { timeout: 20_000 },
    )
    .toEqual(students.map((s) => `${s}:${s === a || s === b ? 'video' : 'name'}`));
}, 240_000);

/** The observer's probe on the target's camera, read back from its page. */
interface SwitchMarks {
  speaker?: number;
  selection?: number;
  /** The first frame the probe's <video> presented after the unmute (wall clock, ms). */
  frame?: number;
  /** When that frame's last packet arrived (requestVideoFrameCallback's receiveTime). */
  frameReceived?: number;
  /** The first frame the target's tile presented after the unmute. */
  tile?: number;
  /** Frames the probe presented before the unmute (a held-back camera sends none). */
  framesBefore: number;
}

it("brings the new speaker's camera when they speak again", async () => {
  const teacher = pages.teacher!;
  const ids = await peerIds(teacher);
  const [, b, target] = students;
  const targetId = ids[target!]!;
  // The observer notes when the server names the speaker and re-selects, and when a frame of
  // the target's camera is first presented: a small <video> of its track (held back until the
  // switch) with requestVideoFrameCallback, called with each frame the page presents, where a
  // stats poll would see it up to one busy poll later (500-800 ms on six tabs).
  await teacher.evaluate(
    ([peerId, name]) => {
      const live = window.educloudLive!;
      const marks: SwitchMarks & { armedAt?: number } = { framesBefore: 0 };
      (window as unknown as { switchMarks: typeof marks }).switchMarks = marks;
      live.socket.on('speaker:active', (e) => {
        if (e.peerId === peerId && marks.armedAt !== undefined) marks.speaker ??= Date.now();
      });
      live.socket.on('video:selection', (e) => {
        if (e.peerIds.includes(peerId) && marks.armedAt !== undefined)
          marks.selection ??= Date.now();
      });
      const track = live
        .snapshot()
        .peers.find((p) => p.info.peerId === peerId)
        ?.tracks.find((t) => t.kind === 'video' && t.source === 'camera')?.track;
      if (!track) throw new Error('the observer has no consumer of the target camera');
      const probe = document.createElement('video');
      probe.muted = true;
      probe.playsInline = true;
      probe.style.cssText =
        'position:fixed;right:0;bottom:0;width:16px;height:16px;pointer-events:none;z-index:9999';
      probe.srcObject = new MediaStream([track]);
      document.body.append(probe);
      void probe.play().catch(() => undefined);
      const onFrame: VideoFrameRequestCallback = (_, meta) => {
        const at = performance.timeOrigin + meta.presentationTime;
        if (marks.armedAt === undefined || at < marks.armedAt) marks.framesBefore++;
        else if (marks.frame === undefined) {
          marks.frame = at;
          if (meta.receiveTime !== undefined)
            marks.frameReceived = performance.timeOrigin + meta.receiveTime;
        }
        probe.requestVideoFrameCallback(onFrame);
      };
      probe.requestVideoFrameCallback(onFrame);
      // The tile: once it plays the target's video, its first frame presented after the unmute.
      const watchTile = () => {
        const video = document.querySelector<HTMLVideoElement>(
          `[data-testid="tile-${name}"] video`,
        );
        if (!video || marks.armedAt === undefined) return void setTimeout(watchTile, 20);
        const onTileFrame: VideoFrameRequestCallback = (_, meta) => {
          const at = performance.timeOrigin + meta.presentationTime;
          if (at >= marks.armedAt!) marks.tile ??= at;
          else video.requestVideoFrameCallback(onTileFrame);
        };
        video.requestVideoFrameCallback(onTileFrame);
      };
      watchTile();
    },
    [targetId, target!] as const,
  );
  // The speaker notes when its microphone is switched on (the button's click, in its page:
  // the switch is timed from there), and when the server asks it to send its camera again.
  await pages[target!]!.evaluate(() => {
    const told: { at: number; layer: number | null }[] = [];
    const w = window as unknown as { layersTold: typeof told; unmutedAt?: number };
    w.layersTold = told;
    window.educloudLive!.socket.on('video:layers', (e) =>
      told.push({ at: Date.now(), layer: e.maxSpatialLayer }),
    );
    // On the document: the button may be rendered anew before the click.
    document.addEventListener(
      'click',
      (e) => {
        if ((e.target as Element | null)?.closest('[data-testid="toggle-mic"]'))
          w.unmutedAt ??= Date.now();
      },
      { capture: true },
    );
  });
  // What the target's camera sends while nobody watches it (dynacast's standby layer).
  const videoBytes = async () =>
    (await pages[target!]!.evaluate(() => window.educloudLive!.outboundStats()))
      .filter((o) => o.kind === 'video')
      .reduce((n, o) => n + o.bytesSent, 0);
  const bytesBefore = await videoBytes();
  await teacher.waitForTimeout(1000);
  const standbyBytes = (await videoBytes()) - bytesBefore;
  const readMarks = () =>
    teacher.evaluate(() => (window as unknown as { switchMarks: SwitchMarks }).switchMarks);
  // The switch, a hand-over: the target (a recent speaker last-N held back) unmutes as b, the
  // one speaking, mutes. Frames from here on count.
  const armedAt = Date.now();
  await teacher.evaluate((at) => {
    (window as unknown as { switchMarks: { armedAt?: number } }).switchMarks.armedAt = at;
  }, armedAt);
  expect(micOn).toEqual({ s1: false, s2: true, s3: false, s4: false, s5: false });
  await Promise.all([setMic(target!, true), setMic(b!, false)]);
  const unmutedAt = await pages[target!]!.evaluate(
    () => (window as unknown as { unmutedAt?: number }).unmutedAt,
  );
  expect(unmutedAt).toBeGreaterThanOrEqual(armedAt);
  step('hand-over to the target');
  const marks = await until(
    `${target}'s camera reaches the observer`,
    async () => {
      await teacher.waitForTimeout(200);
      const m = await readMarks();
      return m.frame !== undefined ? m : undefined;
    },
    30_000,
  ).catch(async (err: unknown) => {
    throw new Error(
      `${String(err)}; observer marks ${JSON.stringify(await readMarks())} (unmuted at ` +
        `${unmutedAt}); ${await mediaReport([])}`,
    );
  });
  // The server named the target: the switch was last-N's, not a frame of something else.
  await until('the observer hears the target named the active speaker', async () => {
    const active = await teacher.evaluate(() => window.educloudLive!.speakers.snapshot().active);
    return active === targetId ? true : (await teacher.waitForTimeout(200), undefined);
  });
  // The observer now decodes the target and b (the two most recent speakers), not a.
  let lastSeen = {};
  await until('the observer decodes the target and b', async () => {
    const g = await growth(teacher, 1500);
    lastSeen = g;
    return g.videoPeers.length === 2 && [target, b].every((n) => g.videoPeers.includes(ids[n!]!))
      ? true
      : undefined;
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}; last seen ${JSON.stringify(lastSeen)}`);
  });
  await expect
    .poll(() => teacher.getByTestId(`tile-${target}`).locator('video').count(), {
      timeout: 10_000,
    })
    .toBe(1);
  const told = await pages[target!]!.evaluate(
    () => (window as unknown as { layersTold: { at: number; layer: number | null }[] }).layersTold,
  );
  const final = await readMarks();
  const since = (at: number | undefined) =>
    at === undefined ? 'never' : `${Math.round(at - unmutedAt!)} ms`;
  console.log(
    `[large-class] speaker switch (hand-over) to ${target}, from its microphone on: ` +
      `speaker:active ${since(final.speaker)}, video:selection ${since(final.selection)}, ` +
      `first frame presented ${since(marks.frame)} (its last packet in ${since(
        marks.frameReceived,
      )}), tile shows it ${since(final.tile)}; probe frames before the unmute ` +
      `${final.framesBefore}; its camera sent ${standbyBytes} bytes in the second before and ` +
      `was told ${JSON.stringify(told.map((t) => ({ at: since(t.at), layer: t.layer })))}`,
  );
}, 120_000);
