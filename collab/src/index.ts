import type * as Y from 'yjs';
import { CollabServer, type DocumentState } from './collab-server.js';
import { optionsSchema, type CollabOptions } from './options.js';

export { Close } from './close-codes.js';
export { EpochConflictError, type DocumentState } from './collab-server.js';
export { isValidDocName } from './doc-name.js';
export { collabMigrations } from './migrations.js';
export type { Authorize, CollabOptions, Limits, Principal } from './options.js';
export { loadDocumentAt, type CollabTables } from './store.js';

export interface CollabHandle {
  /** Identifies this process on Redis. */
  readonly nodeId: string;
  /**
   * Locks or unlocks a document, stored in the database and spread to other nodes. While
   * locked only principals with `canWriteWhenLocked` have their updates stored and relayed.
   */
  setDocumentLock(docName: string, locked: boolean): Promise<void>;
  isDocumentLocked(docName: string): Promise<boolean>;
  /** Lock, epoch, size and whether a reset can be undone. */
  documentState(docName: string): Promise<DocumentState>;
  /**
   * Empties a document as a new epoch (stored; every client reloads it) and keeps the state
   * before for `undoReset`. `expectedEpoch`: refuse (EpochConflictError) if it moved since.
   */
  resetDocument(docName: string, authorId: string, expectedEpoch?: number): Promise<DocumentState>;
  /** Restores the state the latest reset replaced, as a new epoch (EpochConflictError if none). */
  undoReset(docName: string, authorId: string, expectedEpoch?: number): Promise<DocumentState>;
  /** The in-memory document, if loaded (diagnostics and tests). */
  getLoadedDocument(docName: string): Y.Doc | undefined;
  /** Resolves when every update received so far is stored. */
  flush(): Promise<void>;
  /** Stops accepting connections, closes clients, stores what is queued, unloads documents. */
  close(): Promise<void>;
}

/**
 * Mounts the y-websocket compatible collaboration endpoint (`<path>/<docName>?token=…`) on the
 * given HTTP server's `upgrade` event.
 */
export async function start(options: CollabOptions): Promise<CollabHandle> {
  const opts = optionsSchema.parse(options);
  const server = new CollabServer(opts);
  await server.start();
  return {
    nodeId: server.nodeId,
    setDocumentLock: (docName, locked) => server.setDocumentLock(docName, locked),
    isDocumentLocked: (docName) => server.isDocumentLocked(docName),
    documentState: (docName) => server.documentState(docName),
    resetDocument: (docName, authorId, expected) =>
      server.resetDocument(docName, authorId, expected),
    undoReset: (docName, authorId, expected) => server.undoReset(docName, authorId, expected),
    getLoadedDocument: (docName) => server.getLoadedDocument(docName),
    flush: () => server.flush(),
    close: () => server.close(),
  };
}
