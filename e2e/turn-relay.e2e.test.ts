/**
 * Students behind a firewall that lets nothing but TURN through: both browsers are forced to
 * relay (`iceTransportPolicy: 'relay'`, as if every direct path were blocked) and get their TURN
 * server and time-limited credentials from the server with each transport. Media still flows,
 * through a real coturn checking those credentials, and the selected candidate pairs are relay.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTurn, type TurnServer } from '../test-support/turn-server.js';
import { launchBrowser, logIn, newContext } from './browser.js';
import { classWithStudents } from './class-setup.js';
import { startServer, type E2eServer } from './harness.js';

declare global {
  interface Window {
    /** Every RTCPeerConnection the page made (added by the init script below). */
    peerConnections?: RTCPeerConnection[];
  }
}

let turn: TurnServer;
let server: E2eServer;
let browser: Browser;
let classId: string;

beforeAll(async () => {
  turn = await startTurn();
  server = await startServer({ TURN_URLS: turn.urls.join(','), TURN_SECRET: turn.secret });
  ({ classId } = await classWithStudents(server, 'Behind a firewall', ['alice']));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await turn?.stop();
});

/** A page whose peer connections may use relayed candidates only, and are kept for getStats. */
async function relayOnlyPage(email: string): Promise<Page> {
  const context = await newContext(browser, server.baseUrl);
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.peerConnections = [];
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super({ ...config, iceTransportPolicy: 'relay' });
        window.peerConnections!.push(this);
      }
    };
  });
  const page = await context.newPage();
  await logIn(page, email);
  await page.goto(`/classes/${classId}`);
  await page.getByTestId('join-live').click();
  await page
    .locator('[data-testid="live-room"][data-status="joined"]')
    .waitFor({ timeout: 30_000 });
  return page;
}

async function decodesVideo(page: Page, what: string) {
  const deadline = Date.now() + 30_000;
  let last: unknown = null;
  while (Date.now() < deadline) {
    const stats = await page.evaluate(() => window.educloudLive!.inboundStats());
    last = stats;
    if (stats.some((s) => s.kind === 'video' && s.framesDecoded > 0)) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`${what}: no decoded video; last stats ${JSON.stringify(last)}`);
}

/** Candidate types (local, remote) of each connected peer connection's selected pair. */
function selectedPairs(page: Page) {
  return page.evaluate(async () => {
    const out: { local: string; remote: string; iceServers: number; policy: string }[] = [];
    for (const pc of window.peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
      for (const s of byId.values()) {
        if (s.type !== 'transport' || !s.selectedCandidatePairId) continue;
        const pair = byId.get(String(s.selectedCandidatePairId))!;
        out.push({
          local: String(byId.get(String(pair.localCandidateId))?.candidateType),
          remote: String(byId.get(String(pair.remoteCandidateId))?.candidateType),
          iceServers: pc.getConfiguration().iceServers?.length ?? 0,
          policy: String(pc.getConfiguration().iceTransportPolicy),
        });
      }
    }
    return out;
  });
}

it('carries media both ways through coturn when only relayed paths are allowed', async () => {
  const teacher = await relayOnlyPage('teacher@example.org');
  await teacher.getByTestId('start-class').click();
  await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
  const alice = await relayOnlyPage('alice@example.org');

  await decodesVideo(alice, "alice decodes the teacher's camera");
  await decodesVideo(teacher, "the teacher decodes alice's camera");

  for (const page of [teacher, alice]) {
    const pairs = await selectedPairs(page);
    // A send and a receive transport, each connected over a relayed local candidate.
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    for (const p of pairs) {
      expect(p).toMatchObject({ local: 'relay', policy: 'relay' });
      expect(p.iceServers).toBeGreaterThan(0);
    }
  }
});
