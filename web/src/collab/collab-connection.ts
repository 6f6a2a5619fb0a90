import { collabClose, collabEpochParam } from '@educloud/protocol';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { installFastShortStringDecode } from './fast-short-string-decode.js';

export type CollabStatus =
  | { state: 'connecting' }
  | { state: 'synced' }
  | { state: 'reconnecting'; reason: string }
  /** Reconnecting cannot help: logged out, document too large, refused as garbage. */
  | { state: 'failed'; reason: string };

export interface CollabConnectionOptions {
  docName: string;
  /** A currently valid token for the class (refreshed when about to expire); null: logged out. */
  getToken: () => Promise<string | null>;
  /**
   * The document's current epoch (bumped by a teacher's reset or undo), asked once before the
   * first connection; every later connection names it, so a copy from before a reset is
   * refused instead of being synced back into the reset document.
   */
  getEpoch: () => Promise<number>;
  /** The document was reset: this copy is stale, the caller replaces the connection. */
  onReset?: () => void;
  /** Base URL of the collab endpoint; defaults to this origin's `/collab`. */
  serverUrl?: string;
}

/** Origin of transactions made by this tab, so observers can tell them from remote ones. */
export const localOrigin = Symbol('educloud-local');

const maxBackoffMs = 5_000;
/** y-websocket's message types: y-protocols/sync, and y-protocols/auth (permission denied). */
const messageSync = 0;
const messageAuth = 2;

/**
 * One Yjs document kept in sync with the collab server through the stock y-websocket provider.
 * The provider reconnects by itself, but with the token it was built with: this class takes
 * over reconnecting so that every attempt carries a fresh token, and maps close codes
 * (collab/README.md) to a status the UI can show.
 */
export class CollabConnection {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  private status: CollabStatus = { state: 'connecting' };
  private readonly listeners = new Set<() => void>();
  private readonly deniedListeners = new Set<() => void>();
  private destroyed = false;
  private closing = false;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private epoch: number | undefined;

  constructor(private readonly options: CollabConnectionOptions) {
    // Before the first sync: decoding a large board's strings is most of the time it takes.
    installFastShortStringDecode();
    const serverUrl = options.serverUrl ?? `${location.origin.replace(/^http/, 'ws')}/collab`;
    this.provider = new WebsocketProvider(serverUrl, options.docName, this.doc, {
      connect: false,
      params: {},
      // Tabs must not relay edits to each other: the server decides who may write (locks).
      disableBc: true,
    });
    this.provider.on('sync', (synced: boolean) => {
      if (!synced) return;
      this.attempts = 0;
      this.setStatus({ state: 'synced' });
    });
    this.provider.on('connection-close', (event) => this.onClose(event));
    // The stock handler logs the socket URL, token included, to the console. The server says
    // this once per lock period: the document was locked and this client's edits are dropped.
    this.provider.messageHandlers[messageAuth] = () => {
      for (const l of this.deniedListeners) l();
    };
    this.applyFirstSyncUnencoded();
    void this.connect();
  }

  getStatus = (): CollabStatus => this.status;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called when the server refuses this client's edits (the document got locked). */
  onPermissionDenied(listener: () => void): () => void {
    this.deniedListeners.add(listener);
    return () => this.deniedListeners.delete(listener);
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.retryTimer);
    this.provider.destroy();
    this.doc.destroy();
    this.listeners.clear();
    this.deniedListeners.clear();
  }

  /**
   * Yjs encodes every transaction once more for its 'update' listeners; the provider's only
   * use of that is to send local edits, and it ignores what the server sent. Before the first
   * sync that is the whole document (a 10,000-shape board: 0.4 s of encoding thrown away), so
   * the listener is left out while server messages apply until then. A local edit made in that
   * window (none is expected: nothing is bound to the document yet) is sent whole afterwards.
   */
  private applyFirstSyncUnencoded(): void {
    const { provider, doc } = this;
    const handle = provider.messageHandlers[messageSync]!;
    provider.messageHandlers[messageSync] = (encoder, decoder, p, emitSynced, type) => {
      if (provider.synced) return handle(encoder, decoder, p, emitSynced, type);
      let localEdit = false;
      const watch = (txn: Y.Transaction) => {
        if (txn.origin !== provider && txn.changed.size > 0) localEdit = true;
      };
      doc.off('update', provider._updateHandler);
      doc.on('afterTransaction', watch);
      try {
        handle(encoder, decoder, p, emitSynced, type);
      } finally {
        doc.off('afterTransaction', watch);
        doc.on('update', provider._updateHandler);
      }
      if (localEdit) provider._updateHandler(Y.encodeStateAsUpdate(doc), null);
    };
  }

  private async connect(): Promise<void> {
    let token: string | null;
    try {
      token = await this.options.getToken();
    } catch {
      // The API is unreachable (network, 5xx): try again later, the socket would fail too.
      this.retry('The server cannot be reached');
      return;
    }
    if (this.destroyed) return;
    if (!token) {
      this.setStatus({ state: 'failed', reason: 'You are no longer logged in' });
      return;
    }
    try {
      this.epoch ??= await this.options.getEpoch();
    } catch {
      this.retry('The server cannot be reached');
      return;
    }
    if (this.destroyed) return;
    this.provider.params = { token, [collabEpochParam]: String(this.epoch) };
    this.provider.connect();
  }

  private onClose(event: CloseEvent | null): void {
    if (this.destroyed || this.closing) return;
    // Reconnecting is ours (fresh token each time): stop the provider's own attempt. The
    // provider reports the close before it forgets the socket, so disconnecting from inside
    // its report closes the same socket again and reports again: ignore that echo.
    this.closing = true;
    try {
      this.provider.disconnect();
    } finally {
      this.closing = false;
    }
    const code = event?.code ?? 0;
    if (code === collabClose.documentReset.code) {
      // This copy belongs to the document before a teacher's reset: never send it again.
      this.setStatus({ state: 'reconnecting', reason: 'The document was reset' });
      this.options.onReset?.();
    } else if (code === collabClose.malformed.code) {
      this.setStatus({ state: 'failed', reason: 'The server refused an edit as invalid' });
    } else if (code === collabClose.docTooLarge.code || code === collabClose.tooLarge.code) {
      // The refused update stays in this document and would be re-sent on every handshake.
      this.setStatus({ state: 'failed', reason: 'The document is too large to take this edit' });
    } else if (code === collabClose.writeBudget.code) {
      // The server's byte budget refills in seconds; what was refused is re-sent then.
      this.retry('Too much written at once, waiting', 5_000);
    } else if (code === collabClose.sessionRevoked.code) {
      this.setStatus({ state: 'failed', reason: 'Your session or class membership ended' });
    } else if (code === collabClose.resync.code) {
      this.attempts = 0;
      this.retry('Resynchronising', 0);
    } else if (code === collabClose.rateLimit.code) {
      this.retry('Too many edits at once, slowing down', 2_000);
    } else if (code === collabClose.shutdown.code) {
      this.retry('The server is restarting');
    } else {
      // 1006 also covers a refused upgrade (401 expired token): the next attempt gets a new one.
      this.retry('Connection lost');
    }
  }

  private retry(reason: string, minDelayMs = 0): void {
    this.setStatus({ state: 'reconnecting', reason });
    const backoff = Math.min(100 * 2 ** this.attempts, maxBackoffMs);
    this.attempts++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), Math.max(backoff, minDelayMs));
  }

  private setStatus(status: CollabStatus): void {
    this.status = status;
    for (const l of this.listeners) l();
  }
}
