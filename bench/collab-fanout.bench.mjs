#!/usr/bin/env node
// Collab server figures on loopback: fan-out latency of one update to 200 WebSocket clients
// (p50/p99) with the server's CPU and memory meanwhile; memory per idle document before and
// after unloading; time to open a document of 10,000 tldraw-like records (loaded in memory,
// and cold from its snapshot). The server runs in a child process so its CPU and heap are its
// own. A measurement, not a test: it never fails on numbers.
//
//   npx tsc -b collab && node bench/collab-fanout.bench.mjs
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(here), '..');
if (!existsSync(path.join(repoRoot, 'collab/dist/index.js'))) {
  console.error('collab is not compiled: run `npx tsc -b collab` first');
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const IDLE_UNLOAD_MS = 8000;

if (process.argv[2] === 'server') await serverRole(process.argv[3]);
else await main();

async function serverRole(dbFile) {
  const { start, collabMigrations } = await import('@educloud/collab');
  const { default: SQLite } = await import('better-sqlite3');
  const { Kysely, Migrator, SqliteDialect } = await import('kysely');
  const { pino } = await import('pino');
  const { Registry } = await import('prom-client');
  const database = new SQLite(dbFile);
  database.pragma('journal_mode = WAL');
  const db = new Kysely({ dialect: new SqliteDialect({ database }) });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => collabMigrations },
    allowUnorderedMigrations: true,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  const http = createServer();
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const registry = new Registry();
  const handle = await start({
    httpServer: http,
    db,
    logger: pino({ level: 'warn' }),
    registry,
    idleUnloadMs: IDLE_UNLOAD_MS,
    limits: { messagesPerSecond: 10_000, messageBurst: 10_000 },
    authorize: async (token) => ({ userId: token, name: token, canWrite: true }),
  });
  process.on('message', async (m) => {
    if (m === 'usage') {
      globalThis.gc?.();
      const mem = process.memoryUsage();
      const open = await registry.getSingleMetric('educloud_collab_open_documents').get();
      process.send({
        cpu: process.cpuUsage(),
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        openDocuments: open.values[0]?.value ?? 0,
      });
    } else if (m === 'stop') {
      await handle.close();
      http.closeAllConnections();
      http.close();
      await db.destroy();
      process.exit(0);
    }
  });
  process.send({ port: http.address().port });
}

async function main() {
  const { WebSocket } = await import('ws');
  const Y = await import('yjs');
  const encoding = await import('lib0/encoding');
  const { WebsocketProvider } = await import('y-websocket');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'collab-bench-'));
  const child = fork(here, ['server', path.join(dir, 'bench.db')], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies = [];
  let waiting;
  child.on('message', (m) => {
    replies.push(m);
    waiting?.();
  });
  const next = async () => {
    while (replies.length === 0) await new Promise((r) => (waiting = r));
    return replies.shift();
  };
  const usage = async () => {
    child.send('usage');
    return next();
  };
  const { port } = await next();
  const base = `ws://127.0.0.1:${port}/collab`;

  const updateFrame = (u) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, u);
    return encoding.toUint8Array(e);
  };
  const record = (i) => ({
    id: `shape:${i}`,
    typeName: 'shape',
    type: 'geo',
    x: Math.random() * 1000,
    y: Math.random() * 1000,
    rotation: 0,
    index: `a${i}`,
    parentId: 'page:page',
    isLocked: false,
    opacity: 1,
    meta: {},
    props: {
      w: 100,
      h: 80,
      geo: 'rectangle',
      color: 'black',
      fill: 'none',
      dash: 'draw',
      size: 'm',
      text: `shape ${i}`,
    },
  });
  const openRaw = (doc, token, onMessage) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}/${doc}?token=${token}`, { perMessageDeflate: false });
      ws.on('message', (d) => onMessage?.(d));
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

  try {
    // 1. Fan-out: one writer, 200 receivers on one board.
    const RECEIVERS = 200;
    const UPDATES = 100;
    const sendTimes = [];
    const latencies = [];
    const receivers = [];
    for (let r = 0; r < RECEIVERS; r++) {
      let k = 0;
      receivers.push(
        await openRaw('class/fanout/board', `student-r${r}`, (d) => {
          if (d[0] === 0 && d[1] === 2) latencies.push(performance.now() - sendTimes[k++]);
        }),
      );
    }
    const writerDoc = new Y.Doc();
    const writer = await openRaw('class/fanout/board', 'teacher-w');
    await sleep(500);
    const u0 = await usage();
    const t0 = performance.now();
    for (let i = 0; i < UPDATES; i++) {
      let update;
      writerDoc.once('update', (u) => (update = u));
      writerDoc.getMap('records').set(`shape:${i}`, record(i));
      sendTimes.push(performance.now());
      writer.send(updateFrame(update));
      await sleep(50);
    }
    while (latencies.length < UPDATES * RECEIVERS && performance.now() - t0 < 30_000)
      await sleep(20);
    const wall = performance.now() - t0;
    const u1 = await usage();
    const sorted = latencies.slice().sort((a, b) => a - b);
    const cpu = (u1.cpu.user + u1.cpu.system - u0.cpu.user - u0.cpu.system) / 1000;
    console.log(
      `fan-out to ${RECEIVERS} clients, ${UPDATES} updates at 20/s: ` +
        `p50 ${pct(sorted, 0.5).toFixed(1)} ms, p99 ${pct(sorted, 0.99).toFixed(1)} ms, ` +
        `max ${sorted.at(-1).toFixed(1)} ms (${latencies.length} deliveries)`,
    );
    console.log(
      `  server CPU ${((cpu / wall) * 100).toFixed(1)} % of a core, RSS ${(u1.rss / 2 ** 20).toFixed(0)} MiB, ` +
        `heap ${(u1.heapUsed / 2 ** 20).toFixed(1)} MiB with ${RECEIVERS + 1} connections`,
    );
    for (const ws of [...receivers, writer]) ws.close();
    await sleep(IDLE_UNLOAD_MS + 2000);

    // 2. Memory per idle document: 200 boards of 50 records each, then unloaded.
    const DOCS = 200;
    const m0 = await usage();
    for (let b = 0; b < DOCS; b += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const doc = new Y.Doc();
          let update;
          doc.once('update', (u) => (update = u));
          doc.transact(() => {
            for (let i = 0; i < 50; i++) doc.getMap('records').set(`shape:${i}`, record(i));
          });
          const ws = await openRaw(`class/idle${b + j}/board`, `teacher-${b + j}`);
          ws.send(updateFrame(update));
          await sleep(200);
          ws.close();
          doc.destroy();
        }),
      );
    }
    const m1 = await usage();
    await sleep(IDLE_UNLOAD_MS + 3000);
    const m2 = await usage();
    console.log(
      `idle documents (${DOCS} x 50 records): ${m1.openDocuments} loaded, heap +${((m1.heapUsed - m0.heapUsed) / DOCS / 1024).toFixed(1)} KiB per document; ` +
        `after unload ${m2.openDocuments} loaded, heap +${((m2.heapUsed - m0.heapUsed) / DOCS / 1024).toFixed(1)} KiB per document ` +
        `(RSS ${(m0.rss / 2 ** 20).toFixed(0)} -> ${(m1.rss / 2 ** 20).toFixed(0)} -> ${(m2.rss / 2 ** 20).toFixed(0)} MiB)`,
    );

    // 3. Opening a board of 10,000 records.
    const big = new Y.Doc();
    const seeder = await openRaw('class/big/board', 'teacher-seed');
    let bytes = 0;
    for (let c = 0; c < 20; c++) {
      let update;
      big.once('update', (u) => (update = u));
      big.transact(() => {
        for (let i = c * 500; i < (c + 1) * 500; i++)
          big.getMap('records').set(`shape:${i}`, record(i));
      });
      bytes += update.byteLength;
      seeder.send(updateFrame(update));
    }
    await sleep(1000);
    const openTime = async (label) => {
      const doc = new Y.Doc();
      const t = performance.now();
      const provider = new WebsocketProvider(base, 'class/big/board', doc, {
        WebSocketPolyfill: WebSocket,
        disableBc: true,
        params: { token: 'student-open' },
      });
      await new Promise((r) => provider.once('sync', r));
      const ms = performance.now() - t;
      const n = doc.getMap('records').size;
      provider.destroy();
      doc.destroy();
      console.log(
        `open 10,000-record board (${(bytes / 2 ** 20).toFixed(2)} MiB of updates), ${label}: ${ms.toFixed(0)} ms (${n} records)`,
      );
    };
    const applyStart = performance.now();
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(big));
    console.log(
      `  (client-side decode of that state alone: ${(performance.now() - applyStart).toFixed(0)} ms)`,
    );
    copy.destroy();
    await openTime('document in memory');
    seeder.close();
    await sleep(IDLE_UNLOAD_MS + 3000);
    await openTime('cold, from the snapshot written at unload');
    big.destroy();
  } finally {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
