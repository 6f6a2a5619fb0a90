import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { collabEpochParam } from '@educloud/protocol';
import * as Y from 'yjs';
import { Close } from './close-codes.js';
import { Connection } from './connection.js';
import { isValidDocName } from './doc-name.js';
import { createMetrics, type CollabMetrics } from './metrics.js';
import { principalSchema, type Principal, type ResolvedOptions } from './options.js';
import { RedisRelay, RemoteKind } from './redis-relay.js';
import { Room } from './room.js';
import {
  applyStored,
  documentSize,
  loadStoredState,
  type EpochRow,
  readEpoch,
  readLock,
  writeEpoch,
  writeLock,
} from './store.js';
import { UserWriteBudgets } from './write-budgets.js';

export interface DocumentState {
  document: string;
  locked: boolean;
  epoch: number;
  sizeBytes: number;
  canUndoReset: boolean;
}

/** Only a reset is undone (once): an undo is undone by resetting again. */
function canUndo(epoch: EpochRow): boolean {
  return epoch.action === 'reset' && epoch.previous !== null;
}

/** A reset or undo that lost a race (somebody else changed the epoch first), or had no target. */
export class EpochConflictError extends Error {}

/** Owns the documents of one process and the WebSocket endpoint in front of them. */
export class CollabServer {
  readonly nodeId: string;
  private readonly rooms = new Map<string, Room>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly wss: WebSocketServer;
  private readonly metrics: CollabMetrics;
  private readonly logger: Logger;
  private relay: RedisRelay | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly budgets: UserWriteBudgets;

  constructor(private readonly opts: ResolvedOptions) {
    this.nodeId = opts.nodeId ?? randomUUID();
    this.logger = opts.logger.child({ component: 'collab', nodeId: this.nodeId });
    this.metrics = createMetrics(opts.registry);
    this.budgets = new UserWriteBudgets(opts.limits, opts.clock);
    // Frames above the limit are refused by us with a clear reason; ws's own cap is a backstop.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.limits.maxUpdateBytes * 2 + 1024,
      perMessageDeflate: false,
    });
  }

  async start(): Promise<void> {
    if (this.opts.redisUrl) {
      this.relay = new RedisRelay(
        this.opts.redisUrl,
        this.nodeId,
        this.logger,
        (doc, locked) => this.rooms.get(doc)?.setLocked(locked),
        () => {
          this.logger.info('redis reconnected: catching up from the database');
          for (const room of this.rooms.values()) void room.catchUpFromStore();
        },
      );
      await this.relay.start();
    }
    (this.opts.httpServer as EventEmitter).on('upgrade', this.onUpgrade);
    this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  async setDocumentLock(docName: string, locked: boolean): Promise<void> {
    if (!isValidDocName(docName)) throw new Error(`invalid document name: ${docName}`);
    await writeLock(this.opts.db, docName, locked);
    this.rooms.get(docName)?.setLocked(locked);
    this.relay?.publishLock(docName, locked);
  }

  isDocumentLocked(docName: string): Promise<boolean> {
    return readLock(this.opts.db, docName);
  }

  async documentState(docName: string): Promise<DocumentState> {
    if (!isValidDocName(docName)) throw new Error(`invalid document name: ${docName}`);
    const [locked, current, size] = await Promise.all([
      readLock(this.opts.db, docName),
      readEpoch(this.opts.db, docName),
      documentSize(this.opts.db, docName),
    ]);
    return {
      document: docName,
      locked,
      epoch: current.epoch,
      sizeBytes: size,
      canUndoReset: canUndo(current),
    };
  }

  /**
   * Starts a new epoch from an empty document and keeps the current state for one undo. Every
   * client is disconnected with `documentReset` and reconnects with an empty copy; old log
   * rows stay as history but are never loaded again, so the document is small at once.
   */
  async resetDocument(docName: string, authorId: string, expectedEpoch?: number) {
    return this.changeEpoch(docName, authorId, expectedEpoch, 'reset');
  }

  /** Restores the state the latest reset (or undo) replaced, as a new epoch. */
  async undoReset(docName: string, authorId: string, expectedEpoch?: number) {
    return this.changeEpoch(docName, authorId, expectedEpoch, 'undo');
  }

  private async changeEpoch(
    docName: string,
    authorId: string,
    expectedEpoch: number | undefined,
    action: 'reset' | 'undo',
  ): Promise<DocumentState> {
    if (!isValidDocName(docName)) throw new Error(`invalid document name: ${docName}`);
    const current = await readEpoch(this.opts.db, docName);
    if (expectedEpoch !== undefined && expectedEpoch !== current.epoch) {
      throw new EpochConflictError('the document was reset meanwhile');
    }
    if (action === 'undo' && !canUndo(current)) {
      throw new EpochConflictError('there is no reset to undo');
    }
    // Clients are cut off first and their queued edits stored under the old epoch, so the
    // state kept for the undo holds everything they sent before the reset.
    const loaded = this.rooms.get(docName);
    if (loaded) this.replaceStale(loaded);
    await this.unloading.get(docName);
    const stored = await loadStoredState(this.opts.db, docName);
    const doc = new Y.Doc();
    let previous: Uint8Array;
    try {
      applyStored(doc, stored.updates, (err) =>
        this.logger.error({ err, doc: docName }, 'skipping unreadable stored update'),
      );
      previous = Y.encodeStateAsUpdate(doc);
    } finally {
      doc.destroy();
    }
    const base = action === 'undo' ? current.previous! : Y.encodeStateAsUpdate(new Y.Doc());
    const epoch = current.epoch + 1;
    try {
      await writeEpoch(this.opts.db, docName, { epoch, base, previous, action, authorId });
    } catch (err) {
      this.logger.info({ err, doc: docName }, 'epoch change lost a race');
      throw new EpochConflictError('the document was reset meanwhile');
    }
    this.metrics.resets.inc({ action });
    this.logger.info({ doc: docName, epoch, action, by: authorId }, 'document epoch changed');
    // A client that connected meanwhile loaded the old epoch.
    const reopened = this.rooms.get(docName);
    if (reopened) this.replaceStale(reopened);
    this.relay?.publish(docName, RemoteKind.epoch, new Uint8Array(0), epoch);
    return this.documentState(docName);
  }

  /** Disconnects the clients of an outdated copy and unloads it; the next socket reloads. */
  private replaceStale(room: Room) {
    if (room.stale) return;
    room.markStale();
    this.unload(room);
  }

  getLoadedDocument(docName: string): Y.Doc | undefined {
    return this.rooms.get(docName)?.doc;
  }

  /** Waits until every update received so far is stored (and compactions finished). */
  async flush(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((r) => r.flush()));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    (this.opts.httpServer as EventEmitter).off('upgrade', this.onUpgrade);
    clearInterval(this.pingTimer);
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    for (const room of rooms) for (const c of room.conns) c.close(Close.shutdown);
    // Queued updates are stored before the documents go away.
    await Promise.all(rooms.map((r) => this.closeRoom(r)));
    await Promise.all(this.unloading.values());
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.relay?.close();
    this.metrics.remove();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return;
    }
    const prefix = this.opts.path + '/';
    // Other paths belong to other upgrade listeners (socket.io).
    if (!url.pathname.startsWith(prefix)) return;
    socket.on('error', (err) => this.logger.debug({ err }, 'collab upgrade socket error'));
    this.acceptUpgrade(req, socket, head, url, url.pathname.slice(prefix.length)).catch(
      (err: unknown) => {
        this.logger.error({ err }, 'collab upgrade failed');
        refuse(socket, 500);
      },
    );
  };

  private async acceptUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    rawName: string,
  ) {
    if (this.closing) return refuse(socket, 503);
    let docName: string;
    try {
      docName = decodeURIComponent(rawName);
    } catch {
      return refuse(socket, 400);
    }
    if (!isValidDocName(docName)) return refuse(socket, 400);
    const token = url.searchParams.get('token');
    if (!token) return refuse(socket, 401);
    const epochParam = url.searchParams.get(collabEpochParam);
    const epoch = epochParam === null ? undefined : Number(epochParam);
    if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0)) {
      return refuse(socket, 400);
    }
    const answer = await this.opts.authorize(token, docName);
    if (answer === null) return refuse(socket, 401);
    const principal: Principal = principalSchema.parse(answer);
    if (socket.destroyed) return;
    if (this.closing) return refuse(socket, 503);
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.onConnection(ws, docName, principal, epoch),
    );
  }

  private onConnection(
    ws: WebSocket,
    docName: string,
    principal: Principal,
    epoch: number | undefined,
  ) {
    if (this.closing) {
      ws.close(Close.shutdown.code, Close.shutdown.reason);
      return;
    }
    const room = this.openRoom(docName);
    const conn = new Connection(ws, principal, room, this.opts.limits, this.logger, this.metrics, {
      user: this.budgets.acquire(docName, principal.userId, principal.canWriteWhenLocked),
      clock: this.opts.clock,
    });
    room.addConnection(conn);
    this.metrics.connections.inc();
    ws.on('close', () => {
      conn.dispose();
      this.metrics.connections.dec();
      room.removeConnection(conn);
      if (room.conns.size === 0 && !room.closed && this.rooms.get(room.name) === room) {
        clearTimeout(room.idleTimer);
        room.idleTimer = setTimeout(() => this.unload(room), this.opts.idleUnloadMs);
      }
    });
    room.ready.then(
      () => {
        // A client holding a copy from before a reset must not sync it into the new epoch.
        if (epoch !== undefined && epoch !== room.epoch) conn.closeStale(true);
        else room.greet(conn);
      },
      () => conn.close(Close.loadFailed),
    );
  }

  private openRoom(docName: string): Room {
    const existing = this.rooms.get(docName);
    if (existing) return existing;
    const room = new Room(docName, {
      db: this.opts.db,
      logger: this.logger,
      metrics: this.metrics,
      limits: this.opts.limits,
      relay: this.relay,
      compactEveryUpdates: this.opts.compactEveryUpdates,
      onStale: (stale) => {
        if (this.rooms.get(stale.name) === stale) this.replaceStale(stale);
      },
    });
    this.rooms.set(docName, room);
    this.metrics.openDocuments.inc();
    const previous = this.unloading.get(docName);
    room.ready = (async () => {
      // An unload of the same document still writing its last updates must finish first.
      await previous;
      await room.load();
    })();
    room.ready.catch((err: unknown) => {
      this.logger.error({ err, doc: docName }, 'loading document failed');
      if (this.rooms.get(docName) === room) this.unload(room);
    });
    return room;
  }

  private unload(room: Room) {
    if (room.conns.size > 0 && !room.closed) {
      for (const c of room.conns) c.close(Close.loadFailed);
    }
    if (this.rooms.get(room.name) !== room) return;
    this.rooms.delete(room.name);
    const done = this.closeRoom(room).finally(() => {
      if (this.unloading.get(room.name) === done) this.unloading.delete(room.name);
    });
    this.unloading.set(room.name, done);
  }

  private async closeRoom(room: Room): Promise<void> {
    try {
      await room.ready.catch(() => {});
      await room.close();
      this.logger.debug({ doc: room.name }, 'document unloaded');
    } catch (err) {
      this.logger.error({ err, doc: room.name }, 'closing document failed');
    } finally {
      this.metrics.openDocuments.dec();
    }
  }

  private ping() {
    for (const room of this.rooms.values()) {
      for (const c of room.conns) {
        if (!c.alive) {
          c.ws.terminate();
          continue;
        }
        c.alive = false;
        c.ws.ping();
      }
    }
  }
}

function refuse(socket: Duplex, status: number) {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
  socket.destroy();
}
