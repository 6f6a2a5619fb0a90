#!/usr/bin/env node
// Chat fan-out in one live class on loopback: RECEIVERS Socket.IO clients (guests) join one
// class of the built server; a teacher sends MESSAGES chat messages, paced to the per-user chat
// limit (5 in 5 s). Prints the delivery latency to every receiver (p50/p99 of all deliveries,
// and of the last receiver per message) and the server's CPU meanwhile. Baseline in the same
// run: a bare Socket.IO server (its own process) broadcasting the same payload to as many
// sockets at the same pace. A measurement, not a test: it never fails on numbers.
//
//   npx tsc -b && node bench/chat-fanout.bench.mjs
import { execSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { postJson, quantile, root, startServer } from './support.mjs';

const RECEIVERS = Number(process.env.RECEIVERS ?? 500);
const MESSAGES = Number(process.env.MESSAGES ?? 30);
// One message a little more often than every second keeps within 5 messages per 5 seconds.
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 1050);
const clockTick = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTick;
}

function connect(url, auth) {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Connects in batches: 500 handshakes at once would measure the accept queue, not chat. */
async function connectAll(n, make) {
  const out = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, k) => make(i + k)),
    );
    out.push(...batch);
  }
  return out;
}

/**
 * Sends MESSAGES messages through `send(tag)` and waits until every receiver has each one.
 * `tagOf(payload)` reads the tag back on the receiving side.
 */
async function measure(receivers, event, tagOf, send, pid) {
  const sentAt = new Map();
  const deliveries = [];
  const lastPerMessage = new Map();
  let pending = RECEIVERS * MESSAGES;
  let done;
  const all = new Promise((r) => (done = r));
  for (const socket of receivers) {
    socket.on(event, (payload) => {
      const tag = tagOf(payload);
      const t0 = sentAt.get(tag);
      if (t0 === undefined) return;
      const ms = performance.now() - t0;
      deliveries.push(ms);
      lastPerMessage.set(tag, Math.max(lastPerMessage.get(tag) ?? 0, ms));
      if (--pending === 0) done();
    });
  }
  const cpu0 = cpuSeconds(pid);
  const wall0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    const tag = `m${i}-${Math.random().toString(36).slice(2)}`;
    sentAt.set(tag, performance.now());
    await send(tag);
    await sleep(INTERVAL_MS);
  }
  await Promise.race([all, sleep(60_000)]);
  const wall = (performance.now() - wall0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  deliveries.sort((a, b) => a - b);
  const last = [...lastPerMessage.values()].sort((a, b) => a - b);
  return {
    delivered: deliveries.length,
    p50: quantile(deliveries, 0.5),
    p99: quantile(deliveries, 0.99),
    lastP50: quantile(last, 0.5),
    lastP99: quantile(last, 0.99),
    cpuPercent: (cpu / wall) * 100,
    cpuMsPerMessage: (cpu * 1000) / MESSAGES,
  };
}

/** The server side of the baseline: relays `msg` to every socket, nothing else. */
const BASELINE_SERVER = `
import { createServer } from 'node:http';
import { Server } from 'socket.io';
const http = createServer();
const server = new Server(http, { serveClient: false });
server.on('connection', (s) => s.on('msg', (m, ack) => { server.emit('msg', m); ack?.(); }));
http.listen(0, '127.0.0.1', () => console.log('port ' + http.address().port));
`;

async function startBaseline() {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BASELINE_SERVER], {
    cwd: path.join(root, 'signaling'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      const m = /port (\d+)/.exec(String(c));
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`baseline server exited ${code}`)));
  });
  return { child, port };
}

const fmt = (r) =>
  `delivered ${r.delivered}/${RECEIVERS * MESSAGES}; per delivery p50 ${r.p50.toFixed(1)} ms, ` +
  `p99 ${r.p99.toFixed(1)} ms; last receiver p50 ${r.lastP50.toFixed(1)} ms, p99 ` +
  `${r.lastP99.toFixed(1)} ms; server CPU ${r.cpuPercent.toFixed(1)} % of a core ` +
  `(${r.cpuMsPerMessage.toFixed(1)} ms per message)`;

const server = await startServer({
  AUTH_RATE_LIMIT_PER_MINUTE: String(RECEIVERS * 4),
  LOG_LEVEL: 'warn',
});
const sockets = [];
let live;
let sample;
try {
  const url = server.baseUrl;
  const t = await postJson(url, '/api/auth/signup', {
    email: 'chat-teacher@b.test',
    password: 'long password',
    displayName: 'teacher',
    role: 'teacher',
  });
  const c = await postJson(url, '/api/classes', { title: 'Chat bench' }, t.accessToken);
  const classId = c.class.id;
  const code = c.class.inviteUrl.split('/join/')[1];
  const teacher = await connect(url, { token: t.accessToken });
  sockets.push(teacher);
  const joined = await teacher.emitWithAck('class:join', { classId });
  if (!joined.ok) throw new Error(`teacher join: ${JSON.stringify(joined.error)}`);
  const receivers = await connectAll(RECEIVERS, async (i) => {
    const g = await postJson(url, `/api/invites/${code}/guest`, { displayName: `guest ${i}` });
    const socket = await connect(url, { token: g.guestToken });
    const r = await socket.emitWithAck('class:join', { classId });
    if (!r.ok) throw new Error(`guest join: ${JSON.stringify(r.error)}`);
    return socket;
  });
  sockets.push(...receivers);
  console.log(
    `${RECEIVERS} guests in one class; ${MESSAGES} messages, one every ${INTERVAL_MS} ms`,
  );
  const text = (tag) => `${tag} ${'x'.repeat(120)}`;
  live = await measure(
    receivers,
    'chat:message',
    (m) => m.text.split(' ')[0],
    async (tag) => {
      const r = await teacher.emitWithAck('chat:send', { text: text(tag) });
      if (!r.ok) throw new Error(`chat:send: ${JSON.stringify(r.error)}`);
    },
    server.pid,
  );
  console.log(`EduCloud chat:   ${fmt(live)}`);
  // The example payload for the baseline: a stored message as the server sends it.
  sample = { ...(await teacher.emitWithAck('chat:send', { text: 'sample' })).data.message };
} finally {
  for (const s of sockets.splice(0)) s.disconnect();
  await server.stop();
}

const baseline = await startBaseline();
try {
  const url = `http://127.0.0.1:${baseline.port}`;
  const sender = await connect(url, {});
  sockets.push(sender);
  const receivers = await connectAll(RECEIVERS, () => connect(url, {}));
  sockets.push(...receivers);
  const base = await measure(
    receivers,
    'msg',
    (m) => m.text.split(' ')[0],
    (tag) => sender.emitWithAck('msg', { ...sample, text: `${tag} ${'x'.repeat(120)}` }),
    baseline.child.pid,
  );
  console.log(`bare Socket.IO:  ${fmt(base)}`);
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  console.log(
    `ratios EduCloud / bare: p50 ${ratio(live.p50, base.p50)}x, p99 ${ratio(live.p99, base.p99)}x, ` +
      `CPU per message ${ratio(live.cpuMsPerMessage, base.cpuMsPerMessage)}x`,
  );
} finally {
  for (const s of sockets.splice(0)) s.disconnect();
  baseline.child.kill('SIGTERM');
}
