#!/usr/bin/env node
// Memory under churn: STUDENTS guest students (150) join and leave a live class over and over for
// SOAK_SECONDS (600) against the built server; each cycle is a socket, class:join, a receive
// transport, then either class:leave or just a dropped socket (the reconnect-grace path). At
// intervals the server's heap is measured after a full GC (through the inspector: no debug
// route in the server), and the run prints the heap and RSS samples, the heap slope per 10k
// cycles and per minute, and the heap once the churn has stopped and the grace has passed.
// A flat heap is the goal; this never fails on numbers.
//
//   SOAK_SECONDS=120 node bench/live-churn-soak.bench.mjs
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { freePort, postJson, startServer } from './support.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const STUDENTS = Number(process.env.STUDENTS ?? 150);
const SAMPLES = Number(process.env.SOAK_SAMPLES ?? 10);
const GRACE_MS = 3000;

/** The server's V8 inspector: a full GC on demand and the process's memory right after. */
class Inspector {
  static async connect(port) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
        const ws = new WebSocket(target.webSocketDebuggerUrl);
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        return new Inspector(ws);
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.pending = new Map();
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  call(method, params = {}) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  async heapAfterGc() {
    await this.call('HeapProfiler.collectGarbage');
    const r = await this.call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    return JSON.parse(r.result.value);
  }

  close() {
    this.ws.close();
  }
}

const inspectPort = await freePort();
const server = await startServer({
  NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}`,
  ACCESS_TOKEN_TTL: String(SECONDS + 3600),
  RECONNECT_GRACE_MS: String(GRACE_MS),
});
const url = server.baseUrl;
const stopping = { now: false };
let inspector;
try {
  inspector = await Inspector.connect(inspectPort);
  const teacher = await postJson(url, '/api/auth/signup', {
    email: 't@soak.test',
    password: 'long password',
    displayName: 'teacher',
    role: 'teacher',
  });
  const c = await postJson(url, '/api/classes', { title: 'Soak' }, teacher.accessToken);
  const classId = c.class.id;
  const code = c.class.inviteUrl.split('/join/')[1];
  // Guests (a name, no password): 150 accounts would spend minutes hashing passwords.
  const tokens = [];
  for (let i = 0; i < STUDENTS; i++) {
    const g = await postJson(url, `/api/invites/${code}/guest`, { displayName: `student ${i}` });
    if (!g.guestToken) throw new Error(`guest join failed: ${JSON.stringify(g)}`);
    tokens.push(g.guestToken);
  }
  const host = await connect(url, teacher.accessToken);
  await ack(host, 'class:join', { classId });
  await ack(host, 'class:start', {});

  const counts = { cycles: 0, errors: 0, lastError: '' };
  const churn = tokens.map((token, i) => studentLoop(url, token, classId, i, counts, stopping));
  const samples = [];
  const t0 = Date.now();
  const sample = async () => {
    const m = await inspector.heapAfterGc();
    const s = { seconds: (Date.now() - t0) / 1000, cycles: counts.cycles, ...m };
    samples.push(s);
    console.log(
      `${s.seconds.toFixed(0).padStart(5)} s ${String(s.cycles).padStart(7)} cycles` +
        `  heap after GC ${mib(s.heapUsed)}  RSS ${mib(s.rss)}  errors ${counts.errors}`,
    );
  };
  console.log(
    `${STUDENTS} students churning for ${SECONDS} s (join, recv transport, leave or drop)`,
  );
  await sample();
  const every = (SECONDS * 1000) / SAMPLES;
  for (let i = 1; i <= SAMPLES; i++) {
    await new Promise((r) => setTimeout(r, t0 + i * every - Date.now()));
    await sample();
  }
  stopping.now = true;
  await Promise.all(churn);
  // Dropped sockets keep their place for the grace period; then everything must be gone.
  await new Promise((r) => setTimeout(r, GRACE_MS + 2000));
  const idle = await inspector.heapAfterGc();
  host.disconnect();

  // The first interval includes warm-up (JIT, pools, caches): fit from the second sample on.
  const fit = samples.length > 3 ? samples.slice(1) : samples;
  const perCycle = slope(
    fit.map((s) => s.cycles),
    fit.map((s) => s.heapUsed),
  );
  const perSecond = slope(
    fit.map((s) => s.seconds),
    fit.map((s) => s.heapUsed),
  );
  const first = samples[0];
  const last = samples.at(-1);
  console.log(
    `cycles ${counts.cycles} (${(counts.cycles / SECONDS).toFixed(0)}/s), errors ${counts.errors}` +
      (counts.lastError ? ` (last: ${counts.lastError})` : ''),
  );
  console.log(
    `heap after GC: ${mib(first.heapUsed)} → ${mib(last.heapUsed)} under churn, ` +
      `${mib(idle.heapUsed)} idle after it; slope ${kib(perCycle * 10_000)} per 10k cycles, ` +
      `${kib(perSecond * 60)} per minute`,
  );
  console.log(`RSS: ${mib(first.rss)} → ${mib(last.rss)} under churn, ${mib(idle.rss)} idle`);
} finally {
  stopping.now = true;
  inspector?.close();
  await server.stop();
}

async function studentLoop(baseUrl, token, classId, index, counts, stop) {
  let n = 0;
  while (!stop.now) {
    let socket;
    try {
      socket = await connect(baseUrl, token);
      await ack(socket, 'class:join', { classId });
      await ack(socket, 'transport:create', { direction: 'recv' });
      // Half leave properly, half just vanish (the server keeps them for the grace period).
      if ((n + index) % 2 === 0) await ack(socket, 'class:leave', {});
      counts.cycles++;
    } catch (err) {
      counts.errors++;
      counts.lastError = err.message;
    } finally {
      socket?.disconnect();
    }
    n++;
  }
}

function connect(baseUrl, token) {
  return new Promise((resolve, reject) => {
    const socket = io(baseUrl, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

async function ack(socket, event, payload) {
  const r = await socket.timeout(10_000).emitWithAck(event, payload);
  if (!r.ok) throw new Error(`${event}: ${r.error.code} ${r.error.message}`);
  return r.data;
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function mib(bytes) {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function kib(bytes) {
  return `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(0)} KiB`;
}
