/**
 * A teacher runs a class in real Chromium (fake camera and microphone) through the real server
 * and mediasoup worker: a forced mute stops the student's audio reaching the others and holds
 * against the student's own unmute, a raised hand is lowered by the teacher, a chat message and
 * a poll go round, and a student waits in the waiting room until admitted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newContext, recordPageErrors, logIn } from './browser.js';
import { classWithStudents } from './class-setup.js';
import { chooseNoCamera } from './device-check.js';
import { startServer, type E2eServer } from './harness.js';

let server: E2eServer;
let browser: Browser;
let classId: string;
const tokens: Record<string, string> = {};
const pages: Record<string, Page> = {};
const pageErrors: Record<string, string[]> = {};

interface Inbound {
  peerId: string;
  source: string;
  kind: string;
  framesDecoded: number;
  packetsReceived: number;
}

async function openClass(name: string) {
  const context = await newContext(browser, server.baseUrl);
  const page = await context.newPage();
  // Four Chromium pages with media on a shared 2-core machine: give the UI time.
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(90_000);
  pageErrors[name] = recordPageErrors(page);
  await logIn(page, `${name}@example.org`);
  await page.goto(`/classes/${classId}`);
  // Microphones only: what is tested here is audio and the classroom, and four simulcast
  // camera encoders would starve this machine.
  await chooseNoCamera(page);
  await page.getByTestId('join-live').click();
  pages[name] = page;
  return page;
}

async function enterRoom(name: string) {
  const page = await openClass(name);
  await joinedRoom(page);
  return page;
}

const joinedRoom = (page: Page) =>
  page.locator('[data-testid="live-room"][data-status="joined"]').waitFor({ timeout: 30_000 });

const inbound = (page: Page): Promise<Inbound[]> =>
  page.evaluate(() => window.educloudLive!.inboundStats());

const peerIdOf = (page: Page): Promise<string> =>
  page.evaluate(() => window.educloudLive!.snapshot().peerId!);

/** Audio packets this page has received from one peer's microphone. */
async function audioFrom(page: Page, peerId: string): Promise<number> {
  const s = await inbound(page);
  return s
    .filter((x) => x.peerId === peerId && x.kind === 'audio')
    .reduce((n, x) => n + x.packetsReceived, 0);
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string) {
  const deadline = Date.now() + 60_000;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached; last ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 500));
    last = await read();
  }
  return last;
}

async function openPanel(page: Page, panel: 'people' | 'chat' | 'polls' | 'settings') {
  await page.getByTestId(`tab-${panel}`).click();
}

beforeAll(async () => {
  server = await startServer();
  const set = await classWithStudents(server, 'Run the class', ['alice', 'bob', 'carol']);
  classId = set.classId;
  Object.assign(tokens, set.tokens);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('mutes a student for everyone and refuses their own unmute', async () => {
  const teacher = await enterRoom('teacher');
  await teacher.getByTestId('start-class').click();
  await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
  const alice = await enterRoom('alice');
  const bob = await enterRoom('bob');
  const alicePeer = await peerIdOf(alice);

  // Bob hears Alice: her audio packets keep arriving.
  const heard = await until(
    () => audioFrom(bob, alicePeer),
    (n) => n > 0,
    'bob hears alice',
  );
  await until(
    () => audioFrom(bob, alicePeer),
    (n) => n > heard + 20,
    'alice audio keeps coming',
  );

  await teacher.getByTestId('participant-menu-alice').click();
  await teacher.getByTestId('action-mute').click();
  await alice.getByTestId('notice-muted').waitFor();
  await bob
    .locator('[data-testid="participant-alice"][data-forced-mute="true"]')
    .waitFor({ timeout: 15_000 });

  // Packets already on the wire may still land: measure from a second after the mute.
  await bob.waitForTimeout(1000);
  const afterMute = await audioFrom(bob, alicePeer);
  await bob.waitForTimeout(3000);
  expect(await audioFrom(bob, alicePeer)).toBe(afterMute);

  // Alice tries to unmute: the server refuses, her UI says so and she stays muted.
  await alice.getByTestId('toggle-mic').click();
  await alice.getByTestId('notice-unmuteRefused').waitFor();
  expect(await alice.evaluate(() => window.educloudLive!.snapshot().localPaused.mic)).toBe(true);
  await bob.waitForTimeout(3000);
  expect(await audioFrom(bob, alicePeer)).toBe(afterMute);
  expect(
    await teacher.locator('[data-testid="participant-alice"]').getAttribute('data-forced-mute'),
  ).toBe('true');
}, 420_000);

it('shows a raised hand in the queue and lets the teacher lower it', async () => {
  const { teacher, bob } = pages as Record<'teacher' | 'bob', Page>;
  await bob.getByTestId('toggle-hand').click();
  await teacher.locator('[data-testid="participant-bob"][data-hand="1"]').waitFor();
  await teacher.getByTestId('participant-menu-bob').click();
  await teacher.getByTestId('action-lower-hand').click();
  await teacher.locator('[data-testid="participant-bob"][data-hand=""]').waitFor();
  await expect
    .poll(() => bob.evaluate(() => window.educloudLive!.snapshot().handRaised))
    .toBe(false);
});

it('carries a chat message to the class, as text, with an unread count', async () => {
  const { teacher, alice, bob } = pages as Record<'teacher' | 'alice' | 'bob', Page>;
  await openPanel(alice, 'chat');
  const text = 'Page 12 <b>please</b>, see https://example.org/notes';
  await alice.getByTestId('chat-input').fill(text);
  await alice.getByTestId('chat-send').click();
  await alice.getByTestId('chat-text').filter({ hasText: 'Page 12' }).waitFor();

  // Bob's chat panel is closed: the tab counts the message, and the live region reads it.
  await bob.getByRole('tab', { name: 'Chat, 1 unread' }).waitFor();
  await bob.getByTestId('chat-announcer').filter({ hasText: 'alice: Page 12' }).waitFor();
  await openPanel(teacher, 'chat');
  const shown = teacher.getByTestId('chat-text').filter({ hasText: 'Page 12' });
  await shown.waitFor();
  expect(await shown.innerText()).toBe(text);
  expect(await shown.locator('b').count()).toBe(0);
  const link = shown.getByRole('link');
  expect(await link.getAttribute('href')).toBe('https://example.org/notes');
  expect(await link.getAttribute('rel')).toContain('noopener');
  await openPanel(bob, 'chat');
  await bob.getByRole('tab', { name: 'Chat', exact: true }).waitFor();
});

it('runs a poll: students vote, the teacher sees the results', async () => {
  const { teacher, alice, bob } = pages as Record<'teacher' | 'alice' | 'bob', Page>;
  await openPanel(teacher, 'polls');
  await teacher.getByTestId('poll-new').click();
  await teacher.getByTestId('poll-question').fill('Which planet is largest?');
  await teacher.getByTestId('poll-option-0').fill('Mars');
  await teacher.getByTestId('poll-option-1').fill('Jupiter');
  await teacher.getByTestId('poll-create-submit').click();
  await teacher.getByTestId('poll-card').filter({ hasText: 'Which planet' }).waitFor();

  for (const [page, choice] of [
    [alice, 1],
    [bob, 0],
  ] as const) {
    await openPanel(page, 'polls');
    const card = page.getByTestId('poll-card').filter({ hasText: 'Which planet' });
    await card.getByTestId(`poll-choice-${choice}`).check();
    await card.getByTestId('poll-vote').click();
    await card.getByText('Your answer is saved').waitFor();
  }
  // Bob changes his mind while the poll is open.
  const bobCard = bob.getByTestId('poll-card').filter({ hasText: 'Which planet' });
  await bobCard.getByTestId('poll-choice-1').check();
  await bobCard.getByTestId('poll-vote').click();

  await teacher.locator('[data-testid="poll-results"][data-voters="2"]').waitFor();
  await expect.poll(() => teacher.getByTestId('poll-count-1').innerText()).toBe('2 (100%)');
  expect(await teacher.getByTestId('poll-count-0').innerText()).toBe('0 (0%)');
  // Students see no results until the teacher shares them.
  expect(await alice.getByTestId('poll-results').count()).toBe(0);
  await teacher.getByTestId('poll-share').click();
  await alice.getByTestId('poll-count-1').filter({ hasText: '2 (100%)' }).waitFor();
});

it('keeps a student in the waiting room until the teacher admits them', async () => {
  const { teacher } = pages as Record<'teacher', Page>;
  await openPanel(teacher, 'settings');
  // The switch shows the server's settings: it turns on once the server has stored the change.
  await teacher.getByTestId('setting-waitingRoom').click();
  await expect.poll(() => teacher.getByTestId('setting-waitingRoom').isChecked()).toBe(true);

  const carol = await openClass('carol');
  await carol.getByTestId('waiting-screen').waitFor({ timeout: 30_000 });
  await openPanel(teacher, 'people');
  const entry = teacher.getByTestId('waiting-carol');
  await entry.waitFor();
  expect(await teacher.getByTestId('participant-carol').count()).toBe(0);
  await entry.getByTestId('waiting-admit').click();
  await joinedRoom(carol);
  await teacher.getByTestId('participant-carol').waitFor();
  await expect.poll(() => entry.count()).toBe(0);

  for (const [name, errors] of Object.entries(pageErrors)) {
    expect(
      errors.filter((e) => !/Failed to load resource|WebSocket/.test(e)),
      name,
    ).toEqual([]);
  }
});
