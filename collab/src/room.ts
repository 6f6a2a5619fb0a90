import type { Logger } from 'pino';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { Close } from './close-codes.js';
import type { Connection } from './connection.js';
import { FullStateCache } from './full-state-cache.js';
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './messages.js';
import type { CollabMetrics } from './metrics.js';
import type { Limits } from './options.js';
import { RemoteKind, type RedisRelay, type RemoteMessage } from './redis-relay.js';
import {
  appendUpdates,
  applyStored,
  compactDocument,
  loadStoredState,
  readLock,
  type AnyKysely,
} from './store.js';
import { checkUpdate } from './update-check.js';

const MAX_BATCH = 256;
const REMOTE = 'remote';

interface Pending {
  conn: Connection;
  update: Uint8Array;
  receivedAt: number;
}

export interface RoomDeps {
  db: AnyKysely;
  logger: Logger;
  metrics: CollabMetrics;
  limits: Limits;
  relay: RedisRelay | undefined;
  compactEveryUpdates: number;
  /** Another node (or the database) moved this document to a newer epoch: replace the room. */
  onStale: (room: Room) => void;
}

/**
 * One loaded document. Client updates go through a single queue per document: validated,
 * written to the log, and only then applied and relayed, so the in-memory document never holds
 * anything the database does not, and nothing reaches another client before it is stored.
 */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly conns = new Set<Connection>();
  ready: Promise<void> = Promise.resolve();
  locked = false;
  closed = false;
  /** Epoch of the loaded copy; bumped by a reset or an undo (a new document lineage). */
  epoch = 0;
  /** Replaced by a newer epoch: nothing more is compacted for this copy. */
  stale = false;
  idleTimer: NodeJS.Timeout | undefined;

  private pending: Pending[] = [];
  private draining: Promise<void> | undefined;
  // Set and cleared synchronously with the emptiness check, so no update can be left behind.
  private drainRunning = false;
  private compacting: Promise<void> | undefined;
  private nextSeq = 1;
  private storedBytes = 0;
  private sinceCompaction = 0;
  private remoteBacklog: RemoteMessage[] | undefined = [];
  private readonly logger: Logger;
  private readonly fullState = new FullStateCache(this.doc);

  constructor(
    readonly name: string,
    private readonly deps: RoomDeps,
  ) {
    this.logger = deps.logger.child({ doc: name });
    // The server takes part in awareness only as a relay.
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  async load(): Promise<void> {
    const { db, relay } = this.deps;
    const started = performance.now();
    // Subscribe first: whatever another node stores after our read reaches us over Redis.
    if (relay) await relay.subscribe(this.name, (msg) => this.onRemote(msg));
    const [state, locked] = await Promise.all([
      loadStoredState(db, this.name),
      readLock(db, this.name),
    ]);
    const read = performance.now();
    const merged = applyStored(this.doc, state.updates, (err) =>
      this.logger.error({ err }, 'skipping unreadable stored update'),
    );
    // The first client to open it needs no encoding of its own.
    if (merged) this.fullState.seed(merged);
    const loaded = performance.now();
    this.deps.metrics.loadSeconds.observe((loaded - started) / 1000);
    this.logger.debug(
      {
        rows: state.updates.length,
        bytes: state.bytes,
        readMs: Math.round(read - started),
        applyMs: Math.round(loaded - read),
      },
      'document loaded',
    );
    this.nextSeq = state.maxSeq + 1;
    this.storedBytes = state.bytes;
    this.epoch = state.epoch;
    this.locked = locked;
    const backlog = this.remoteBacklog ?? [];
    this.remoteBacklog = undefined;
    for (const msg of backlog) this.onRemote(msg);
    relay?.publish(this.name, RemoteKind.queryAwareness, new Uint8Array(0), this.epoch);
  }

  /** Bytes a client downloads to sync this document (what the size cap counts). */
  get sizeBytes(): number {
    return this.storedBytes;
  }

  /** Closes every socket of an outdated copy; the caller unloads the room. */
  markStale(): void {
    this.stale = true;
    for (const c of this.conns) c.closeStale();
  }

  /**
   * Re-reads the stored log after Redis missed messages: other nodes store before they publish,
   * so the database has everything; only what we lacked is sent on to our clients.
   */
  async catchUpFromStore(): Promise<void> {
    try {
      await this.ready;
      const [state, locked] = await Promise.all([
        loadStoredState(this.deps.db, this.name),
        readLock(this.deps.db, this.name),
      ]);
      if (this.closed) return;
      if (state.epoch !== this.epoch) {
        this.deps.onStale(this);
        return;
      }
      this.setLocked(locked);
      const before = Y.encodeStateVector(this.doc);
      applyStored(this.doc, state.updates, (err) =>
        this.logger.error({ err }, 'skipping unreadable stored update'),
      );
      const missed = Y.encodeStateAsUpdate(this.doc, before);
      const { structs, ds } = Y.decodeUpdate(missed);
      if (structs.length === 0 && ds.clients.size === 0) return;
      const frame = encodeUpdate(missed);
      this.fullState.applied(frame);
      for (const c of this.conns) c.send(frame);
    } catch (err) {
      this.logger.warn({ err }, 'catching up from the database failed');
    }
  }

  addConnection(conn: Connection): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.conns.add(conn);
  }

  /** Server's half of the handshake, once the document is loaded. */
  greet(conn: Connection): void {
    conn.send(encodeSyncStep1(this.doc));
    if (this.awareness.getStates().size > 0) conn.send(this.fullAwareness());
  }

  removeConnection(conn: Connection): void {
    if (!this.conns.delete(conn)) return;
    if (!this.closed && conn.awarenessIds.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
    }
  }

  setLocked(locked: boolean): void {
    if (this.locked === locked) return;
    this.locked = locked;
    for (const c of this.conns) c.resetDenied();
  }

  /**
   * The server's answer to a client's state vector. A client that has nothing (every first
   * open) gets the document state encoded once for all such clients, then the updates applied
   * since: encoding a 10,000-shape board took about a second of this process per client.
   */
  syncStep2For(stateVector: Uint8Array): Uint8Array[] {
    if (Y.decodeStateVector(stateVector).size === 0) {
      const { frames, hit } = this.fullState.frames();
      this.deps.metrics.fullStates.inc({ result: hit ? 'hit' : 'miss' });
      return frames;
    }
    return [encodeSyncStep2(this.doc, stateVector)];
  }

  fullAwareness(): Uint8Array {
    return encodeAwareness(
      awarenessProtocol.encodeAwarenessUpdate(this.awareness, [
        ...this.awareness.getStates().keys(),
      ]),
    );
  }

  applyAwareness(conn: Connection, update: Uint8Array, clients: number[]): void {
    const introduced = clients.filter((id) => !conn.awarenessIds.has(id)).length;
    if (conn.awarenessIds.size + introduced > this.deps.limits.maxAwarenessClients) {
      this.deps.metrics.rejected.inc({ reason: 'awareness_clients' });
      return;
    }
    // A socket may not speak for a client id another local socket introduced (cursor spoofing,
    // or removing someone else's presence).
    for (const c of this.conns) {
      if (c !== conn && clients.some((id) => c.awarenessIds.has(id))) {
        this.deps.metrics.rejected.inc({ reason: 'awareness_spoof' });
        return;
      }
    }
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, conn);
  }

  enqueueUpdate(conn: Connection, update: Uint8Array): void {
    this.logger.debug(
      { userId: conn.principal.userId, bytes: update.byteLength },
      'update received',
    );
    if (this.closed) return;
    this.pending.push({ conn, update, receivedAt: Date.now() });
    if (!this.drainRunning) {
      this.drainRunning = true;
      this.draining = this.drain();
    }
  }

  /** Waits until every queued update is stored and relayed. */
  async flush(): Promise<void> {
    while (this.drainRunning) await this.draining;
    await this.compacting;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.flush();
    if (this.sinceCompaction > 0 && !this.stale) await this.compact();
    if (this.deps.relay) {
      await this.deps.relay.unsubscribe(this.name).catch((err: unknown) => {
        this.logger.warn({ err }, 'redis unsubscribe failed');
      });
    }
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.fullState.clear();
    this.doc.destroy();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.drainBatch(this.pending.splice(0, MAX_BATCH));
    } finally {
      this.drainRunning = false;
    }
  }

  private async drainBatch(batch: Pending[]): Promise<void> {
    const accepted = this.admit(batch);
    if (accepted.length === 0) return;
    try {
      const last = await appendUpdates(
        this.deps.db,
        this.name,
        accepted.map((p) => ({
          data: p.update,
          authorId: p.conn.principal.userId,
          createdAt: p.receivedAt,
        })),
        this.nextSeq,
        this.epoch,
      );
      this.nextSeq = last + 1;
      this.logger.debug({ count: accepted.length, last }, 'stored updates');
    } catch (err) {
      // Not stored, so not relayed: the senders still hold these edits and send them again
      // in the sync handshake after they reconnect.
      this.logger.error({ err }, 'persisting updates failed');
      for (const p of accepted) {
        this.storedBytes -= p.update.byteLength;
        p.conn.reject(Close.persistFailed, 'persist_failed');
      }
      return;
    }
    for (const p of accepted) {
      this.deps.metrics.persistedBytes.inc(p.update.byteLength);
      this.deps.metrics.updates.inc({ origin: 'client' });
      const frame = encodeUpdate(p.update);
      try {
        Y.applyUpdate(this.doc, p.update, p.conn);
        this.fullState.applied(frame);
      } catch (err) {
        this.logger.error({ err }, 'applying a validated update failed');
      }
      for (const c of this.conns) if (c !== p.conn) c.send(frame);
      this.deps.relay?.publish(this.name, RemoteKind.update, p.update, this.epoch);
    }
    this.sinceCompaction += accepted.length;
    if (this.sinceCompaction >= this.deps.compactEveryUpdates && !this.compacting) {
      this.compacting = this.compact().finally(() => {
        this.compacting = undefined;
      });
    }
  }

  private admit(batch: Pending[]): Pending[] {
    // Clocks promised by earlier updates of this batch, not yet in the document.
    const ahead = new Map<number, number>();
    const known = (client: number) => ahead.get(client) ?? Y.getState(this.doc.store, client);
    const accepted: Pending[] = [];
    for (const p of batch) {
      if (p.conn.violated) continue;
      if (!p.conn.canWrite(this.locked)) {
        this.deps.metrics.rejected.inc({ reason: this.locked ? 'locked' : 'read_only' });
        p.conn.notifyDenied(this.locked ? 'document locked' : 'read only');
        continue;
      }
      const verdict = checkUpdate(p.update, known);
      if (!verdict.ok) {
        this.logger.info({ reason: verdict.reason }, 'refusing update');
        if (verdict.reason === 'undecodable') p.conn.reject(Close.invalidUpdate, 'invalid_update');
        else p.conn.reject(Close.resync, 'missing_dependency');
        continue;
      }
      if (verdict.empty) continue;
      if (this.storedBytes + p.update.byteLength > this.deps.limits.maxDocumentBytes) {
        p.conn.reject(Close.docTooLarge, 'document_too_large');
        continue;
      }
      this.storedBytes += p.update.byteLength;
      for (const [client, end] of verdict.ends) {
        ahead.set(client, Math.max(end, known(client)));
      }
      accepted.push(p);
    }
    return accepted;
  }

  private async compact(): Promise<void> {
    this.sinceCompaction = 0;
    try {
      const size = await compactDocument(this.deps.db, this.name, this.epoch, (err) =>
        this.logger.error({ err }, 'skipping unreadable stored update'),
      );
      // The stored size restarts from the snapshot (plus whatever was logged meanwhile).
      if (size !== null) this.storedBytes = size;
    } catch (err) {
      this.logger.error({ err }, 'compaction failed');
    }
  }

  private onRemote(msg: RemoteMessage) {
    if (this.remoteBacklog) {
      this.remoteBacklog.push(msg);
      return;
    }
    if (this.closed) return;
    if (msg.kind === RemoteKind.epoch || msg.epoch > this.epoch) {
      if (msg.epoch > this.epoch) this.deps.onStale(this);
      return;
    }
    // From a copy another node has not yet replaced: its edits belong to the old lineage.
    if (msg.epoch < this.epoch) return;
    try {
      switch (msg.kind) {
        case RemoteKind.update: {
          // Already stored by the node whose client sent it.
          Y.applyUpdate(this.doc, msg.payload, REMOTE);
          this.storedBytes += msg.payload.byteLength;
          this.deps.metrics.updates.inc({ origin: 'redis' });
          const frame = encodeUpdate(msg.payload);
          this.fullState.applied(frame);
          for (const c of this.conns) c.send(frame);
          break;
        }
        case RemoteKind.awareness:
          awarenessProtocol.applyAwarenessUpdate(this.awareness, msg.payload, REMOTE);
          break;
        case RemoteKind.queryAwareness: {
          const local = [...this.conns].flatMap((c) => [...c.awarenessIds]);
          if (local.length > 0) {
            this.deps.relay?.publish(
              this.name,
              RemoteKind.awareness,
              awarenessProtocol.encodeAwarenessUpdate(this.awareness, local),
              this.epoch,
            );
          }
          break;
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'dropping remote message');
    }
  }

  private readonly onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const changed = [...changes.added, ...changes.updated, ...changes.removed];
    if (origin !== null && origin !== REMOTE && typeof origin === 'object') {
      const conn = origin as Connection;
      for (const id of changes.added) conn.awarenessIds.add(id);
      for (const id of changes.removed) conn.awarenessIds.delete(id);
    }
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    const frame = encodeAwareness(update);
    for (const c of this.conns) c.send(frame);
    if (origin !== REMOTE) {
      this.deps.relay?.publish(this.name, RemoteKind.awareness, update, this.epoch);
    }
  };
}
