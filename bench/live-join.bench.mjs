#!/usr/bin/env node
// Join to first decoded remote frame in Chromium through the real server and mediasoup
// worker: a teacher page publishes its fake camera, then a student page joins 10 times; each
// time we measure from the click on "Join the live class" to the first decoded frame of the
// teacher's video. Prints the median and the spread (this 2-core machine is noisy).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 10);
const flags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
];

function startServer(dataDir) {
  const child = spawn(process.execPath, [path.join(root, 'server/dist/main.js')], {
    env: {
      ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn',
      MEDIASOUP_WORKERS: '1', RTC_LISTEN_IP: '127.0.0.1', RTC_PORT: '0',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

async function post(url, body, token) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return r.json();
}

async function login(context, url, email) {
  const page = await context.newPage();
  await page.goto(`${url}/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill('long password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard-title').waitFor();
  return page;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'educloud-bench-'));
const { child, url } = await startServer(dataDir);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags });
try {
  const t = await post(`${url}/api/auth/signup`, { email: 't@b.test', password: 'long password', displayName: 'teacher', role: 'teacher' });
  await post(`${url}/api/auth/signup`, { email: 's@b.test', password: 'long password', displayName: 'student', role: 'student' });
  const c = await post(`${url}/api/classes`, { title: 'Bench' }, t.accessToken);
  const classId = c.class.id;
  const teacher = await login(await browser.newContext(), url, 't@b.test');
  await teacher.goto(`${url}/classes/${classId}`);
  await teacher.getByTestId('join-live').click();
  await teacher.getByTestId('start-class').click();
  const studentContext = await browser.newContext();
  const student = await login(studentContext, url, 's@b.test');
  await student.goto(`${url}/join/${c.class.inviteUrl.split('/join/')[1]}`);
  await student.getByTestId('join-class').click();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    await student.goto(`${url}/classes/${classId}`);
    await student.getByTestId('join-live').waitFor();
    await student.waitForTimeout(300);
    const started = Date.now();
    await student.getByTestId('join-live').click();
    await student.waitForFunction(
      async () => {
        const s = await window.educloudLive?.inboundStats();
        return s?.some((x) => x.kind === 'video' && x.framesDecoded > 0);
      },
      undefined,
      { polling: 20, timeout: 30_000 },
    );
    times.push(Date.now() - started);
    await student.getByTestId('leave-live').click();
  }
  times.sort((a, b) => a - b);
  console.log(`join → first decoded remote frame, ${RUNS} runs (ms): ${times.join(' ')}`);
  console.log(`median ${pct(times, 0.5)} ms, p90 ${pct(times, 0.9)} ms, min ${times[0]} ms`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
