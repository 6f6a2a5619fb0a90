/**
 * Three real Chromium clients (fake camera and microphone) in one live class through the real
 * server and mediasoup worker: everyone decodes everyone, a screen share reaches the students,
 * a student leaving is seen, a dropped socket resumes its media, and a batch of malformed
 * events from one client leaves the others' media flowing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { LiveClient } from '../server/src/test-support/live-client.js';
import {
  launchBrowser,
  newContext,
  recordPageErrors,
  logIn,
  unexpectedPageErrors,
} from './browser.js';
import { classWithStudents } from './class-setup.js';
import { startServer, type E2eServer } from './harness.js';
import { watchSocketIo } from './socket-io-frames.js';

let server: E2eServer;
let browser: Browser;
let classId: string;
const tokens: Record<string, string> = {};
const pages: Record<string, Page> = {};
const pageErrors: Record<string, string[]> = {};
const sockets: Record<string, ReturnType<typeof watchSocketIo>> = {};

interface Inbound {
  consumerId: string;
  peerId: string;
  source: string;
  kind: string;
  framesDecoded: number;
  packetsReceived: number;
}

async function enterRoom(name: string, email: string) {
  const context = await newContext(browser, server.baseUrl);
  const page = await context.newPage();
  pageErrors[name] = recordPageErrors(page);
  sockets[name] = watchSocketIo(page);
  await logIn(page, email);
  await page.goto(`/classes/${classId}`);
  await page.getByTestId('join-live').click();
  await page
    .locator('[data-testid="live-room"][data-status="joined"]')
    .waitFor({ timeout: 30_000 });
  pages[name] = page;
  return page;
}

function inbound(page: Page): Promise<Inbound[]> {
  return page.evaluate(() => window.educloudLive!.inboundStats());
}

/** Polls a page until its decoded media satisfies `ok` (the fake camera runs at ~20 fps). */
async function until(page: Page, ok: (s: Inbound[]) => boolean, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  let last: Inbound[] = [];
  while (Date.now() < deadline) {
    last = await inbound(page);
    if (ok(last)) return last;
    await page.waitForTimeout(500);
  }
  throw new Error(`${what}: not reached; last stats ${JSON.stringify(last)}`);
}

const decodesVideoOf = (s: Inbound[], peers: number) =>
  s.filter((x) => x.kind === 'video' && x.source === 'camera' && x.framesDecoded > 0).length >=
  peers;
const hearsAudioOf = (s: Inbound[], peers: number) =>
  s.filter((x) => x.kind === 'audio' && x.packetsReceived > 0).length >= peers;
const totalFrames = (s: Inbound[]) => s.reduce((n, x) => n + x.framesDecoded, 0);

beforeAll(async () => {
  server = await startServer();
  const set = await classWithStudents(server, 'Live physics', ['alice', 'bob']);
  classId = set.classId;
  Object.assign(tokens, set.tokens);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('carries camera and microphone between a teacher and two students', async () => {
  const teacher = await enterRoom('teacher', 'teacher@example.org');
  await teacher.getByTestId('start-class').click();
  await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
  const alice = await enterRoom('alice', 'alice@example.org');
  const bob = await enterRoom('bob', 'bob@example.org');
  for (const [name, page] of [
    ['teacher', teacher],
    ['alice', alice],
    ['bob', bob],
  ] as const) {
    await until(
      page,
      (s) => decodesVideoOf(s, 2) && hearsAudioOf(s, 2),
      `${name} decodes the other two`,
    );
  }
  expect(await alice.getByTestId('tile-teacher').isVisible()).toBe(true);
  // The connection quality of the teacher, as Alice receives them (from one stats read of
  // her receive transport): clean on loopback.
  await expect
    .poll(
      () =>
        alice.evaluate(() => {
          const s = window.educloudLive!;
          const teacherPeer = s.snapshot().peers.find((p) => p.info.role === 'teacher');
          return teacherPeer ? s.qualities.peer(teacherPeer.info.peerId) : null;
        }),
      { timeout: 15_000, interval: 500 },
    )
    .toBeGreaterThanOrEqual(8);
});

it('shows a screen share to both students', async () => {
  await pages.teacher!.getByTestId('toggle-screen').click();
  for (const name of ['alice', 'bob']) {
    await until(
      pages[name]!,
      (s) => s.some((x) => x.source === 'screen' && x.framesDecoded > 0),
      `${name} decodes the screen share`,
    );
    await pages[name]!.getByTestId('screen-stage').waitFor();
  }
});

it('keeps media flowing while one client sends garbage', async () => {
  const before = {
    teacher: totalFrames(await inbound(pages.teacher!)),
    alice: totalFrames(await inbound(pages.alice!)),
  };
  const rogue = new LiveClient(Number(new URL(server.baseUrl).port), tokens.bob!);
  await rogue.connected();
  const answers = await Promise.all([
    rogue.request('class:join', { classId: 'nope' }),
    rogue.request('consume', { transportId: 'x', producerId: 'y', rtpCapabilities: {} }),
    rogue.request('moderation:kick', { peerId: 'anyone' }),
    rogue.request('class:end', {}),
    rogue.request('produce', {
      transportId: 1,
      kind: 'video',
      rtpParameters: null,
      source: 'camera',
    }),
    rogue.request('totally:unknown', { a: 1 }),
  ]);
  expect(answers.every((a) => !a.ok)).toBe(true);
  for (let i = 0; i < 300; i++) rogue.socket.emit('transport:connect', { bad: i });
  rogue.close();
  await pages.teacher!.waitForTimeout(2000);
  expect(totalFrames(await inbound(pages.teacher!))).toBeGreaterThan(before.teacher);
  expect(totalFrames(await inbound(pages.alice!))).toBeGreaterThan(before.alice);
});

it('shows the others when a student leaves', async () => {
  await pages.bob!.getByTestId('leave-live').click();
  await pages.bob!.getByTestId('live-ended').waitFor();
  await expect
    .poll(() => pages.teacher!.getByTestId('tile-bob').count(), { timeout: 15_000 })
    .toBe(0);
  await expect
    .poll(() => pages.alice!.getByTestId('tile-bob').count(), { timeout: 15_000 })
    .toBe(0);
});

it('resumes media after a dropped socket', async () => {
  const alice = pages.alice!;
  const peerBefore = await alice.evaluate(() => window.educloudLive!.snapshot().peerId);
  const socketsBefore = sockets.alice!.socketIds();
  const consumersBefore = (await inbound(alice)).map((s) => s.consumerId).sort();
  const droppedAt = Date.now();
  // Close the underlying connection as a network drop would; Socket.IO reconnects by itself.
  await alice.evaluate(() => {
    (
      window.educloudLive as unknown as { socket: { io: { engine: { close(): void } } } }
    ).socket.io.engine.close();
  });
  // A reconnect happened: a new socket joined again, asked to resume its peer, and did.
  const rejoinAnswered = () =>
    sockets
      .alice!.events()
      .find((e) => e.event === 'class:join' && e.sentAt >= droppedAt && e.ack !== undefined);
  await expect.poll(rejoinAnswered, { timeout: 30_000 }).toBeDefined();
  const rejoin = rejoinAnswered()!;
  expect(rejoin.socketId).toBeDefined();
  expect(socketsBefore).not.toContain(rejoin.socketId);
  expect(rejoin.payload).toEqual({ classId, resumePeerId: peerBefore });
  expect(rejoin.ack).toMatchObject({ ok: true, data: { peerId: peerBefore, resumed: true } });
  // Media after it: more frames decoded, on the same consumers (resumed, not rebuilt).
  const frames = totalFrames(await inbound(alice));
  await until(alice, (s) => totalFrames(s) > frames + 20, 'alice decodes again after the drop');
  expect((await inbound(alice)).map((s) => s.consumerId).sort()).toEqual(consumersBefore);
  expect(await pages.teacher!.getByTestId('tile-alice').count()).toBe(1);
  for (const [name, errors] of Object.entries(pageErrors)) {
    expect(unexpectedPageErrors(errors), name).toEqual([]);
  }
});
