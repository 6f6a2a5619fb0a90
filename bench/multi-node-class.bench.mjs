#!/usr/bin/env node
// One class split over two nodes against the same class on one node (issue 12).
// Two built servers share PostgreSQL and Redis (as in production). A teacher publishes from
// node A; STUDENTS students (default 2) join, each timed from the click on "Join the live
// class" to the first decoded frame of the teacher's camera, RUNS times (default 3):
// - one node: every student's browser on node A;
// - split: every student's browser on node B, the teacher's media piped from A (and theirs
//   back to A).
// Then, with everyone publishing and decoding everyone, the CPU of every mediasoup worker of
// both nodes over WINDOW seconds (default 10). Prints p50/p95 and split/one ratios; this
// 2-core machine is noisy, so compare ratios of one run.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, launchChromium, postJson, quantile, startServer } from './support.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const STUDENTS = Number(process.env.STUDENTS ?? 2);
const WINDOW = Number(process.env.WINDOW ?? 10);
const WAIT = { polling: 20, timeout: 90_000 };

function waitFor(proc, text, what) {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${log}`)), 30_000);
    const on = (d) => {
      log += d;
      if (log.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.setEncoding('utf8').on('data', on);
    proc.stderr?.setEncoding('utf8').on('data', on);
  });
}

async function startRedis() {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '']);
  await waitFor(proc, 'Ready to accept connections', 'redis');
  return { url: `redis://127.0.0.1:${port}`, stop: () => proc.kill('SIGKILL') };
}

/** Debian's PostgreSQL on a free port in a temp dir (as the postgres user when root). */
async function startPostgres() {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const bin = `/usr/lib/postgresql/${versions[0]}/bin`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'educloud-bench-pg-'));
  const as = {};
  if (process.getuid() === 0) {
    as.uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    as.gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    chownSync(dir, as.uid, as.gid);
  }
  const data = path.join(dir, 'data');
  const init = spawnSync(`${bin}/initdb`, ['-D', data, '-U', 'educloud', '--auth=trust', '-N'], {
    ...as,
    cwd: dir,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const proc = spawn(
    `${bin}/postgres`,
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
    { ...as, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await waitFor(proc, 'ready to accept connections', 'postgres');
  const url = `postgres://educloud@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE DATABASE bench');
  await client.end();
  return {
    url: `postgres://educloud@127.0.0.1:${port}/bench`,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** mediasoup workers spawned by a server process. */
function workerPids(serverPid) {
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (Number(stat[1]) === serverPid && cmd.includes('mediasoup-worker')) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / 100;
}

/**
 * A page logged in through the API (the session stored where the web client keeps it), on the
 * class page: the login form's two page loads per student are not what is measured.
 */
async function openPage(browser, url, email, classId) {
  const response = await postJson(url, '/api/auth/login', { email, password: 'long password' });
  if (!response.accessToken) throw new Error(`login failed: ${JSON.stringify(response)}`);
  const context = await browser.newContext();
  await context.addInitScript(
    (value) => {
      const store = window.localStorage;
      if (!store.getItem('educloud.session')) store.setItem('educloud.session', value);
    },
    JSON.stringify({
      response,
      accessExpiresLocalMs: Date.parse(response.accessTokenExpiresAt),
      refreshExpiresLocalMs: Date.parse(response.refreshTokenExpiresAt),
    }),
  );
  const page = await context.newPage();
  await page.goto(`${url}/classes/${classId}`);
  await page.getByTestId('join-live').waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="join-live"]')?.hasAttribute('disabled'),
    undefined,
    WAIT,
  );
  return page;
}

/** In the page: whether a frame of `peerId`'s camera was decoded. */
const decodes = (peerId) =>
  window.educloudLive
    ?.inboundStats()
    .then((s) => s.some((x) => x.peerId === peerId && x.kind === 'video' && x.framesDecoded > 0)) ??
  false;

async function scenario(browser, a, studentNode, names, label) {
  const contexts = [];
  const teacherToken = (
    await postJson(a.baseUrl, '/api/auth/login', {
      email: 'teacher@b.test',
      password: 'long password',
    })
  ).accessToken;
  const c = await postJson(a.baseUrl, '/api/classes', { title: label }, teacherToken);
  const classId = c.class.id;
  const invite = c.class.inviteUrl.split('/join/')[1];
  try {
    const teacher = await openPage(browser, a.baseUrl, 'teacher@b.test', classId);
    contexts.push(teacher.context());
    await teacher.getByTestId('join-live').click();
    await teacher.getByTestId('start-class').click();
    await teacher.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
    const teacherPeer = await teacher.evaluate(() => window.educloudLive.snapshot().peerId);
    const joins = [];
    for (let run = 0; run < RUNS; run++) {
      const pages = [];
      for (const name of names) {
        const token = (
          await postJson(studentNode.baseUrl, '/api/auth/login', {
            email: `${name}@b.test`,
            password: 'long password',
          })
        ).accessToken;
        await postJson(studentNode.baseUrl, `/api/invites/${invite}/join`, undefined, token);
        const page = await openPage(browser, studentNode.baseUrl, `${name}@b.test`, classId);
        contexts.push(page.context());
        const started = Date.now();
        await page.getByTestId('join-live').click();
        await page.waitForFunction(decodes, teacherPeer, WAIT);
        joins.push(Date.now() - started);
        pages.push(page);
      }
      if (run < RUNS - 1) {
        for (const p of pages) await p.getByTestId('leave-live').click();
        for (const p of pages) await p.context().close();
      } else {
        // Everyone decodes everyone else, then the workers' CPU over the window.
        await teacher.waitForFunction(
          async (n) =>
            ((await window.educloudLive?.inboundStats()) ?? []).filter(
              (x) => x.kind === 'video' && x.framesDecoded > 0,
            ).length >= n,
          names.length,
          WAIT,
        );
        const pids = [...workerPids(a.pid), ...workerPids(studentNode.pid)];
        const before = cpuSeconds(pids);
        const t = Date.now();
        await new Promise((r) => setTimeout(r, WINDOW * 1000));
        const cpu = ((cpuSeconds(pids) - before) / ((Date.now() - t) / 1000)) * 100;
        for (const p of pages) await p.getByTestId('leave-live').click();
        return { joins: joins.sort((x, y) => x - y), cpu };
      }
    }
    throw new Error('unreachable');
  } finally {
    for (const ctx of contexts) await ctx.close().catch(() => undefined);
  }
}

const redis = await startRedis();
const db = await startPostgres().catch((err) => {
  redis.stop();
  throw err;
});
const servers = [];
let browser;
try {
  const shared = { SECRET: 'b'.repeat(40), DATABASE_URL: db.url, REDIS_URL: redis.url };
  const a = await startServer({ ...shared, NODE_ID: 'bench-a' });
  servers.push(a);
  const b = await startServer({ ...shared, NODE_ID: 'bench-b' });
  servers.push(b);
  browser = await launchChromium();
  const names = Array.from({ length: STUDENTS }, (_, i) => `student${i}`);
  await postJson(a.baseUrl, '/api/auth/signup', {
    email: 'teacher@b.test',
    password: 'long password',
    displayName: 'teacher',
    role: 'teacher',
  });
  for (const name of names) {
    await postJson(a.baseUrl, '/api/auth/signup', {
      email: `${name}@b.test`,
      password: 'long password',
      displayName: name,
      role: 'student',
    });
  }
  const one = await scenario(browser, a, a, names, 'one node');
  const split = await scenario(browser, a, b, names, 'split');
  const q = (s, p) => quantile(s.joins, p);
  const ratio = (x, y) => (x / y).toFixed(2);
  console.log(
    `multi-node class, ${STUDENTS} students x ${RUNS} runs (${one.joins.length} joins each way)\n` +
      `join to the teacher's first decoded frame: one node p50 ${q(one, 0.5)} ms ` +
      `p95 ${q(one, 0.95)} ms; split over two p50 ${q(split, 0.5)} ms p95 ${q(split, 0.95)} ms ` +
      `(ratios p50 ${ratio(q(split, 0.5), q(one, 0.5))}, p95 ${ratio(q(split, 0.95), q(one, 0.95))})\n` +
      `mediasoup workers' CPU with everyone publishing, over ${WINDOW} s: ` +
      `${one.cpu.toFixed(1)} % on one node, ${split.cpu.toFixed(1)} % over two ` +
      `(ratio ${ratio(split.cpu, one.cpu)})`,
  );
} finally {
  await browser?.close();
  await Promise.all(servers.map((s) => s.stop()));
  redis.stop();
  await db.stop();
}
