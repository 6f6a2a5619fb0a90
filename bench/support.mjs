// What the benchmarks share: the built server started as `npm start` runs it, Debian's
// Chromium with the flags this machine needs, and JSON calls to the API.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
// Shared with the browser tests: Chromium on this machine needs exactly these.
import flags from '../e2e/chromium-flags.json' with { type: 'json' };

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The checkouts a before/after bench runs in turn: BEFORE=<another built checkout>, then this one. */
export function checkoutsToCompare() {
  return [
    ...(process.env.BEFORE
      ? [{ label: 'before', checkout: path.resolve(process.env.BEFORE) }]
      : []),
    { label: 'after', checkout: root },
  ];
}

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...flags, ...extraArgs],
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * node server/dist/main.js on a free loopback port with a throw-away data dir. `checkout`: another
 * built checkout of this repository (its server and web client), to measure a baseline.
 */
export function startServer(env = {}, checkout = root) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'educloud-bench-'));
  const child = spawn(process.execPath, [path.join(checkout, 'server/dist/main.js')], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      MEDIASOUP_WORKERS: '1',
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_PORT: '0',
      RTMP_ENABLED: 'false',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      REFRESH_RATE_LIMIT_PER_MINUTE: '1000',
      ALLOW_TEACHER_SIGNUP: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid, baseUrl: m[1], dataDir, stop });
      }
    });
    child.stderr.on('data', (c) => (out += c));
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
}

export async function postJson(baseUrl, p, body, token) {
  const res = await fetch(`${baseUrl}${p}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

/** Signs `name@b.test` up (a teacher or a student) and returns the API's session. */
export function signUp(baseUrl, name, role) {
  return postJson(baseUrl, '/api/auth/signup', {
    email: `${name}@b.test`,
    password: 'long password',
    displayName: name,
    role,
  });
}

/** Logs a page in through the real login form. */
export async function logIn(page, baseUrl, email, password = 'long password') {
  await page.goto(new URL('/login', baseUrl).href);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard-title').waitFor();
}

/** The p-th quantile of an ascending list. */
export const quantile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/**
 * A page logged in by storing the API's session where the client keeps it: the login form
 * costs two page loads, and on a starved machine a sixth page's form timed out.
 */
export async function loggedInPage(browser, baseUrl, name, { viewport, timeoutMs } = {}) {
  const session = await postJson(baseUrl, '/api/auth/login', {
    email: `${name}@b.test`,
    password: 'long password',
  });
  const context = await browser.newContext(viewport ? { viewport } : {});
  if (timeoutMs) context.setDefaultTimeout(timeoutMs);
  const stored = JSON.stringify({
    response: session,
    accessExpiresLocalMs: Date.parse(session.accessTokenExpiresAt),
    refreshExpiresLocalMs: Date.parse(session.refreshTokenExpiresAt),
  });
  await context.addInitScript((value) => {
    if (!window.localStorage.getItem('educloud.session')) {
      window.localStorage.setItem('educloud.session', value);
    }
  }, stored);
  return context.newPage();
}

/** CPU ticks (1/100 s) of the Chromium processes below `pid` (this process: not the server). */
export function chromiumTicks(pid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]),
        chromium: /chrom/i.test(comm),
      });
    } catch {
      // Gone between the listing and the read.
    }
  }
  const inTree = (p) => {
    for (let cur = p; cur > 1; cur = stats.get(cur)?.ppid ?? 0) if (cur === pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [p, s] of stats) if (s.chromium && inTree(p)) ticks += s.ticks;
  return ticks;
}
