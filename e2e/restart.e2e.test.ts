/**
 * The server process is killed (SIGKILL, as a crash or an orchestrator would) under a live
 * class of two real Chromium clients, and started again on the same ports and data. Without a
 * reload and without the teacher pressing Start again, both browsers rebuild their media on
 * new peer connections and decode each other's camera within 10 s of the server being back;
 * the class is still live and the student's raised hand is still raised.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../test-support/free-port.js';
import { launchBrowser, logIn, newContext, recordPageErrors } from './browser.js';
import { startServer, type E2eServer } from './harness.js';
import { watchSocketIo } from './socket-io-frames.js';

let server: E2eServer;
let browser: Browser;
let classId: string;
const pageErrors: Record<string, string[]> = {};
const frames: Record<string, ReturnType<typeof watchSocketIo>> = {};
const pagesByName: Record<string, Page> = {};

interface Inbound {
  consumerId: string;
  kind: string;
  source: string;
  framesDecoded: number;
}

/** A free port outside RTC_MIN_PORT-RTC_MAX_PORT (45000-49999), which the media port may not overlap. */
async function freeMediaPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 45000 || port > 49999) return port;
  }
}

beforeAll(async () => {
  // Fixed ports: the restarted server must be where the browsers look for it.
  server = await startServer({
    PORT: String(await freePort()),
    RTC_PORT: String(await freeMediaPort()),
  });
  const tokens: Record<string, string> = {};
  for (const [name, role] of [
    ['teacher', 'teacher'],
    ['student', 'student'],
  ] as const) {
    const r = await server.api('POST', '/api/auth/signup', {
      email: `${name}@example.org`,
      password: 'long password',
      displayName: name,
      role,
    });
    tokens[name] = r.accessToken;
  }
  const c = await server.api('POST', '/api/classes', { title: 'Restart' }, tokens.teacher);
  classId = c.class.id;
  const code = c.class.inviteUrl.split('/join/')[1];
  await server.api('POST', `/api/invites/${code}/join`, undefined, tokens.student);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function enterRoom(name: string): Promise<Page> {
  const page = await (await newContext(browser, server.baseUrl)).newPage();
  pageErrors[name] = recordPageErrors(page);
  frames[name] = watchSocketIo(page);
  pagesByName[name] = page;
  await logIn(page, `${name}@example.org`);
  await page.goto(`/classes/${classId}`);
  await page.getByTestId('join-live').click();
  await page
    .locator('[data-testid="live-room"][data-status="joined"]')
    .waitFor({ timeout: 30_000 });
  return page;
}

function inbound(page: Page): Promise<Inbound[]> {
  return page.evaluate(() => window.educloudLive!.inboundStats());
}

/** What a page asked (with the answers) and was told since `since`, in order, for diagnostics. */
function trafficSince(name: string, since: number): string {
  const watched = frames[name]!;
  const asked = watched
    .events()
    .filter((e) => e.sentAt >= since)
    .map((e) => {
      const answer = (e.ack as { ok?: boolean } | undefined)?.ok;
      const at = `+${e.sentAt - since}ms`;
      return {
        at: e.sentAt,
        text: `${at} ${e.event} → ${answer ?? 'no answer'} +${(e.ackedAt ?? NaN) - since}ms`,
      };
    });
  const told = watched
    .pushes()
    .filter((e) => e.at >= since)
    .map((e) => ({ at: e.at, text: `+${e.at - since}ms ⇐ ${e.event}` }));
  return [...asked, ...told]
    .sort((a, b) => a.at - b.at)
    .map((e) => e.text)
    .join('; ');
}

/**
 * Polls (bounded) until the page decodes camera video on a consumer that is not in `old`, and
 * returns that consumer's stats.
 */
async function decodesNewVideo(
  page: Page,
  old: string[],
  ms: number,
  since = Date.now(),
): Promise<Inbound> {
  let last: Inbound[] = [];
  const fresh = () =>
    last.find(
      (s) =>
        !old.includes(s.consumerId) &&
        s.kind === 'video' &&
        s.source === 'camera' &&
        s.framesDecoded > 0,
    );
  try {
    await expect
      .poll(
        async () => {
          last = await inbound(page);
          return fresh() !== undefined;
        },
        {
          timeout: ms,
          interval: 200,
        },
      )
      .toBe(true);
  } catch (err) {
    const state = await page.evaluate(() => {
      const s = window.educloudLive!.snapshot();
      const local = Object.entries(s.local).map(([k, t]) => `${k}:${t?.readyState}`);
      return { status: s.status, error: s.error, live: s.live, local };
    });
    const name = Object.keys(frames).find((n) => pagesByName[n] === page) ?? '?';
    // Every page's side: one page's media depends on what the other sent.
    const traffic = Object.keys(frames).map((n) => `${n}: ${trafficSince(n, since)}`);
    throw new Error(
      `${name}: no new video decoded; last stats ${JSON.stringify(last)}, session ` +
        `${JSON.stringify(state)}, since the server was back:\n${traffic.join('\n')}`,
      { cause: err },
    );
  }
  return fresh()!;
}

it('rebuilds media on its own after the server is killed and restarted', async () => {
  const teacher = await enterRoom('teacher');
  await teacher.getByTestId('start-class').click();
  await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
  const student = await enterRoom('student');
  await student.getByTestId('toggle-hand').click();
  const pages = { teacher, student };

  const before: Record<string, string[]> = {};
  for (const [name, page] of Object.entries(pages)) {
    await decodesNewVideo(page, [], 30_000);
    before[name] = (await inbound(page)).map((s) => s.consumerId);
    // Survives only if the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  }
  const studentPeer = await student.evaluate(() => window.educloudLive!.snapshot().peerId);
  await expect
    .poll(() =>
      teacher.evaluate(
        (id) => window.educloudLive!.snapshot().peers.find((p) => p.info.peerId === id),
        studentPeer,
      ),
    )
    .toMatchObject({ info: { handRaised: true } });

  await server.kill();
  await server.restart();
  const back = Date.now();

  // Media back within 10 s of the server being back, on consumers made after the restart.
  const fresh = await Promise.all(
    Object.entries(pages).map(([name, page]) =>
      decodesNewVideo(page, before[name]!, back + 10_000 - Date.now(), back).then((stats) => {
        // Where the time went, for the CI log: a slow return shows which step was late.
        const firsts = ['class:join', 'produce', 'consume'].map((event) => {
          const e = frames[name]!.events().find((x) => x.sentAt >= back && x.event === event);
          return `${event} +${e ? e.sentAt - back : '?'}ms`;
        });
        console.log(
          `[restart e2e] ${name}: ${firsts.join(', ')}, decoding +${Date.now() - back}ms`,
        );
        return stats;
      }),
    ),
  );
  for (const [i, [name, page]] of Object.entries(pages).entries()) {
    const { consumerId, framesDecoded } = fresh[i]!;
    expect(before[name]).not.toContain(consumerId);
    // And it keeps flowing on that consumer.
    await expect
      .poll(
        async () => (await inbound(page)).find((s) => s.consumerId === consumerId)?.framesDecoded,
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThan(framesDecoded);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  }
  // Still live (nobody pressed Start again), the student kept their place and their hand.
  expect(await teacher.evaluate(() => window.educloudLive!.snapshot().live)).toBe(true);
  expect(await student.evaluate(() => window.educloudLive!.snapshot().live)).toBe(true);
  expect(await student.evaluate(() => window.educloudLive!.snapshot().peerId)).toBe(studentPeer);
  const teacherSees = await teacher.evaluate(() =>
    window.educloudLive!.snapshot().peers.map((p) => p.info),
  );
  expect(
    teacherSees.find((p) => p.peerId === studentPeer),
    `the teacher sees ${JSON.stringify(teacherSees)}`,
  ).toMatchObject({ handRaised: true });
  for (const [name, errors] of Object.entries(pageErrors)) {
    expect(
      errors.filter((e) => !/Failed to load resource|WebSocket/.test(e)),
      name,
    ).toEqual([]);
  }
}, 240_000);
