import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CollabConnection } from './collab-connection.js';

/**
 * A minimal y-websocket server on loopback (the real one lives in collab/, which web/ may not
 * import): it holds one document, answers the sync handshake and relays updates into it.
 */
let wss: WebSocketServer;
let serverDoc: Y.Doc;
let url: string;
const connections: CollabConnection[] = [];

beforeEach(async () => {
  serverDoc = new Y.Doc();
  const board = serverDoc.getMap('tldraw');
  serverDoc.transact(() => {
    for (let i = 0; i < 200; i++) board.set(`shape:${i}`, { id: `shape:${i}`, x: i, y: 2 * i });
  });
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (socket) => {
    const send = (write: (e: encoding.Encoder) => void) => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      write(e);
      socket.send(encoding.toUint8Array(e));
    };
    socket.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) !== 0) return; // awareness: not needed here
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, 0);
      syncProtocol.readSyncMessage(decoder, reply, serverDoc, socket);
      if (encoding.length(reply) > 1) socket.send(encoding.toUint8Array(reply));
    });
    send((e) => syncProtocol.writeSyncStep1(e, serverDoc));
  });
  await new Promise((r) => wss.once('listening', r));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  vi.stubGlobal('WebSocket', NodeWebSocket);
});

afterEach(async () => {
  for (const c of connections.splice(0)) c.destroy();
  vi.unstubAllGlobals();
  for (const s of wss.clients) s.terminate();
  await new Promise((r) => wss.close(r));
});

function connect(): CollabConnection {
  const c = new CollabConnection({
    docName: 'doc',
    serverUrl: url,
    getToken: async () => 'token',
    getEpoch: async () => 1,
  });
  connections.push(c);
  return c;
}

const synced = (c: CollabConnection) =>
  vi.waitUntil(() => c.getStatus().state === 'synced', { timeout: 5000 });

/** Whether Yjs had an 'update' listener (and so encoded it) for each remote transaction. */
function watchEncoding(c: CollabConnection): boolean[] {
  const seen: boolean[] = [];
  c.doc.on('afterTransaction', (txn: Y.Transaction) => {
    if (txn.origin === c.provider && txn.changed.size > 0) {
      seen.push(
        (c.doc as unknown as { _observers: Map<string, unknown> })._observers.has('update'),
      );
    }
  });
  return seen;
}

it('applies the first sync without Yjs encoding it again, and later ones as usual', async () => {
  const c = connect();
  const encoded = watchEncoding(c);
  await synced(c);
  expect(c.doc.getMap('tldraw').size).toBe(200);
  expect(encoded).toEqual([false]);

  // After the first sync the provider listens again: edits go both ways.
  c.doc.getMap('tldraw').set('shape:local', { id: 'shape:local' });
  await vi.waitUntil(() => serverDoc.getMap('tldraw').has('shape:local'), { timeout: 5000 });
  const update = Y.encodeStateAsUpdate(serverDoc, Y.encodeStateVector(c.doc));
  serverDoc.getMap('tldraw').set('shape:remote', { id: 'shape:remote' });
  for (const s of wss.clients) {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    syncProtocol.writeUpdate(
      e,
      Y.encodeStateAsUpdate(serverDoc, Y.encodeStateVectorFromUpdate(update)),
    );
    s.send(encoding.toUint8Array(e));
  }
  await vi.waitUntil(() => c.doc.getMap('tldraw').has('shape:remote'), { timeout: 5000 });
  expect(encoded.at(-1)).toBe(true);
});

it('sends a local edit made while the first sync applied', async () => {
  const c = connect();
  const board = c.doc.getMap('tldraw');
  const react = () => {
    board.unobserve(react);
    // An observer writing back as the document arrives (nothing of ours does, but it may).
    c.doc.transact(() => board.set('shape:reaction', { id: 'shape:reaction' }));
  };
  board.observe(react);
  await synced(c);
  await vi.waitUntil(() => serverDoc.getMap('tldraw').has('shape:reaction'), { timeout: 5000 });
});
