// A bare mediasoup room behind a WebSocket: what a minimal SFU app does and nothing more (no
// accounts, no database, no class state), serving the bare client page built with vite. Used by
// bench/live-join.bench.mjs as the baseline for our join time.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mediasoup from 'mediasoup';
import { build } from 'vite';
import { WebSocketServer } from 'ws';
// Our routers' codecs, so both sides negotiate the same VP8 simulcast.
import { mediaCodecs } from '../../sfu/dist/mediaCodecs.js';

const dir = path.dirname(fileURLToPath(import.meta.url));

async function buildPage() {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'educloud-bare-page-'));
  await build({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export async function startBareServer() {
  const pageDir = await buildPage();
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs });
  const transports = new Map();
  const producers = new Map();
  const consumers = new Map();

  const handlers = {
    getCaps: () => router.rtpCapabilities,
    listProducers: () => [...producers.keys()],
    async createTransport() {
      const t = await router.createWebRtcTransport({
        listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
        initialAvailableOutgoingBitrate: 1_000_000,
      });
      transports.set(t.id, t);
      return {
        id: t.id,
        iceParameters: t.iceParameters,
        iceCandidates: t.iceCandidates,
        dtlsParameters: t.dtlsParameters,
      };
    },
    async connect({ transportId, dtlsParameters }) {
      await transports.get(transportId).connect({ dtlsParameters });
    },
    async produce({ transportId, kind, rtpParameters }) {
      const p = await transports.get(transportId).produce({ kind, rtpParameters });
      producers.set(p.id, p);
      p.observer.once('close', () => producers.delete(p.id));
      return { id: p.id };
    },
    async consume({ transportId, producerId, rtpCapabilities }) {
      const c = await transports
        .get(transportId)
        .consume({ producerId, rtpCapabilities, paused: true });
      consumers.set(c.id, c);
      c.observer.once('close', () => consumers.delete(c.id));
      return { id: c.id, producerId, kind: c.kind, rtpParameters: c.rtpParameters };
    },
    async resume({ consumerId }) {
      await consumers.get(consumerId).resume();
    },
  };

  const http = createServer((req, res) => {
    const file = req.url === '/' ? 'index.html' : req.url.replace(/^\/+/, '');
    try {
      const body = readFileSync(path.join(pageDir, path.normalize(file)));
      const type = file.endsWith('.js') ? 'text/javascript' : 'text/html';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ server: http, path: '/ws' });
  wss.on('connection', (ws) => {
    const mine = new Set();
    ws.on('message', async (raw) => {
      const { id, method, data } = JSON.parse(String(raw));
      try {
        const result = await handlers[method](data);
        if (method === 'createTransport') mine.add(result.id);
        ws.send(JSON.stringify({ id, ok: true, data: result }));
      } catch (err) {
        ws.send(JSON.stringify({ id, ok: false, error: String(err) }));
      }
    });
    // A page that leaves takes its transports (and so its producers and consumers) along.
    ws.on('close', () => {
      for (const t of mine) transports.get(t)?.close();
      for (const t of mine) transports.delete(t);
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${http.address().port}`,
    workerPid: worker.pid,
    async stop() {
      wss.close();
      http.close();
      worker.close();
      rmSync(pageDir, { recursive: true, force: true });
    },
  };
}
