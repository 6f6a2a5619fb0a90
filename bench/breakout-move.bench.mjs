#!/usr/bin/env node
// Breakout moves at scale, in process with the real server and mediasoup workers (2): STUDENTS
// Socket.IO clients (Node, synthetic media: real producers and consumers in the SFU, no RTP)
// sit in a live class with their microphone on; the teacher opens ROOMS breakouts at random.
// For each student we time from the teacher's `breakout:open` to the moment its media is set
// up again in its breakout (moved → new transports → its mic produced → every room-mate's mic
// consumed), then the same for everyone coming back when the teacher closes them all
// (baseline: the same work against the main room). Prints median / p95, the ratio, and the
// routers and transports the workers hold right after the close (expected: the main room's
// router and the teacher's transport only).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { quantile, root } from './support.mjs';

const STUDENTS = Number(process.env.STUDENTS ?? 50);
const ROOMS = Number(process.env.ROOMS ?? 10);

const { loadConfig } = await import(path.join(root, 'server/dist/config.js'));
const { startServer } = await import(path.join(root, 'server/dist/server.js'));

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'educloud-bench-breakout-'));
const server = await startServer(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    REFRESH_RATE_LIMIT_PER_MINUTE: '100000',
    ALLOW_TEACHER_SIGNUP: 'true',
    MEDIASOUP_WORKERS: '2',
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_PORT: '0',
    RTMP_ENABLED: 'false',
    LIVE_EVENT_BURST: '5000',
  }),
);
const base = server.url;
const clients = [];
const students = [];

async function post(p, body, token) {
  const res = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** A signaling client that keeps the room's producers and its own media as the web client. */
function client(token) {
  const socket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false });
  const c = { socket, producers: new Map(), consumed: new Set(), ssrc: 0, waiters: [] };
  c.request = async (event, payload) => {
    const r = await socket.timeout(30_000).emitWithAck(event, payload);
    if (!r.ok) throw new Error(`${event}: ${r.error.code} ${r.error.message}`);
    return r.data;
  };
  const changed = () => c.waiters.splice(0).forEach((w) => w());
  c.changed = () => new Promise((resolve) => c.waiters.push(resolve));
  socket.on('producer:new', (p) => {
    c.producers.set(p.producerId, p);
    changed();
  });
  socket.on('producer:closed', ({ producerId }) => {
    c.producers.delete(producerId);
    changed();
  });
  clients.push(c);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(c));
    socket.once('connect_error', reject);
  });
}

const opus = (ssrc) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
});

/** Media set up against the room the client is in: transports, its mic, every other mic. */
async function setUpMedia(c, caps, producers, expectedOthers) {
  c.producers = new Map(producers.map((p) => [p.producerId, p]));
  c.consumed = new Set();
  const recv = await c.request('transport:create', { direction: 'recv' });
  const send = await c.request('transport:create', { direction: 'send' });
  await c.request('produce', {
    transportId: send.id,
    kind: 'audio',
    rtpParameters: opus(c.ssrc),
    source: 'mic',
  });
  for (;;) {
    // Announced while the last ones were consumed: no news will wake us for these.
    const fresh = [...c.producers.values()].filter((p) => !c.consumed.has(p.producerId));
    if (fresh.length === 0) {
      if (c.consumed.size >= expectedOthers) return;
      await c.changed();
      continue;
    }
    for (const p of fresh) {
      c.consumed.add(p.producerId);
      await c.request('consume', {
        transportId: recv.id,
        producerId: p.producerId,
        rtpCapabilities: caps,
      });
    }
  }
}

/** Fails with who is still waiting, rather than holding the machine's lock forever. */
async function withinTime(what, ms, tasks) {
  const done = new Set();
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const stuck = students
        .filter((_, i) => !done.has(i))
        .map((c) => ({
          userId: c.userId,
          consumed: c.consumed.size,
          known: c.producers.size,
        }));
      reject(new Error(`${what}: not done in ${ms} ms: ${JSON.stringify(stuck.slice(0, 5))}`));
    }, ms);
  });
  try {
    return await Promise.race([
      Promise.all(tasks.map((t, i) => t.then((v) => (done.add(i), v)))),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function workerHoldings() {
  let routers = 0;
  let webRtcTransports = 0;
  for (const w of server.sfu.pool.workers) {
    routers += (await w.worker.dump()).routerIds.length;
    webRtcTransports += (await w.webRtcServer.dump()).webRtcTransportIds.length;
  }
  return { routers, webRtcTransports };
}

try {
  const t = await post('/api/auth/signup', {
    email: 't@breakout.bench',
    password: 'long password',
    displayName: 'teacher',
    role: 'teacher',
  });
  const cls = await post('/api/classes', { title: 'Bench' }, t.accessToken);
  const classId = cls.class.id;
  const code = cls.class.inviteUrl.split('/join/')[1];
  const teacher = await client(t.accessToken);
  const tj = await teacher.request('class:join', { classId });
  await teacher.request('class:start', {});
  const tSend = await teacher.request('transport:create', { direction: 'send' });
  await teacher.request('produce', {
    transportId: tSend.id,
    kind: 'audio',
    rtpParameters: opus(1),
    source: 'mic',
  });
  void tj;

  for (let i = 0; i < STUDENTS; i++) {
    const s = await post('/api/auth/signup', {
      email: `s${i}@breakout.bench`,
      password: 'long password',
      displayName: `s${i}`,
      role: 'student',
    });
    await post(`/api/invites/${code}/join`, undefined, s.accessToken);
    const c = await client(s.accessToken);
    c.ssrc = 1000 + i;
    c.userId = s.user.id;
    await c.request('class:join', { classId });
    students.push(c);
  }

  console.log(`${STUDENTS} students joined`);

  // Into the breakouts.
  const moved = students.map(
    (c) => new Promise((resolve) => c.socket.once('breakout:moved', resolve)),
  );
  const opened = Date.now();
  const state = await teacher.request('breakout:open', {
    count: ROOMS,
    assignment: 'random',
    durationSeconds: 3600,
  });
  const roomSize = (c) =>
    Object.values(state.placement).filter((r) => r === state.placement[c.userId]).length;
  const intoBreakouts = await withinTime(
    'into the breakouts',
    120_000,
    students.map(async (c, i) => {
      const m = await moved[i];
      await setUpMedia(c, m.routerRtpCapabilities, m.producers, roomSize(c) - 1);
      return Date.now() - opened;
    }),
  );
  const during = await workerHoldings();

  // Back to the main room.
  const back = students.map(
    (c) => new Promise((resolve) => c.socket.once('breakout:moved', resolve)),
  );
  const closing = Date.now();
  await teacher.request('breakout:closeAll', {});
  const leftAfterClose = await workerHoldings();
  const backToMain = await withinTime(
    'back to the main room',
    120_000,
    students.map(async (c, i) => {
      const m = await back[i];
      await setUpMedia(c, m.routerRtpCapabilities, m.producers, STUDENTS);
      return Date.now() - closing;
    }),
  );

  intoBreakouts.sort((a, b) => a - b);
  backToMain.sort((a, b) => a - b);
  const med = (xs) => quantile(xs, 0.5);
  console.log(`${STUDENTS} students, ${ROOMS} breakouts at random, 2 mediasoup workers`);
  console.log(
    `open → media set up in the breakout (mic out, every room-mate's mic in): median ${med(intoBreakouts)} ms, p95 ${quantile(intoBreakouts, 0.95)} ms, max ${intoBreakouts.at(-1)} ms`,
  );
  console.log(
    `close all → media set up in the main room (baseline, ${STUDENTS} mics each): median ${med(backToMain)} ms, p95 ${quantile(backToMain, 0.95)} ms`,
  );
  console.log(
    `ratio breakout / main-room median: ${(med(intoBreakouts) / med(backToMain)).toFixed(2)}`,
  );
  console.log(
    `while open: ${during.routers} routers, ${during.webRtcTransports} WebRTC transports in the workers`,
  );
  console.log(
    `right after close all: ${leftAfterClose.routers} router(s), ${leftAfterClose.webRtcTransports} WebRTC transport(s) left (the main room and the teacher's)`,
  );
} finally {
  for (const c of clients) c.socket.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
