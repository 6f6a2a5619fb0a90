import { classDocumentName, type ClassDocumentKind } from '@educloud/protocol';
import type { ApiClient } from '../api/api-client.js';
import { markBoard } from './board-timing.js';
import { CollabConnection } from './collab-connection.js';
import { documentStateOnce, prefetchDocumentState } from './document-state-prefetch.js';

/** A prefetched connection nobody took by then (an error page, a slow page) is closed. */
const unclaimedForMs = 15_000;

interface Prefetched {
  connection: CollabConnection;
  /** Set by whoever takes the connection; a reset before that is remembered. */
  onReset: (() => void) | null;
  resetMeanwhile: boolean;
  timer: ReturnType<typeof setTimeout>;
}

const prefetched = new Map<string, Prefetched>();
const keyOf = (classId: string, kind: ClassDocumentKind) => `${classId}/${kind}`;

function open(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
  onReset: () => void,
): CollabConnection {
  const connection = new CollabConnection({
    docName: classDocumentName(classId, kind),
    getToken: () => api.tokenFor(classId),
    getEpoch: async () => (await documentStateOnce(api, classId, kind)).epoch,
    onReset,
  });
  if (kind === 'board') {
    // Marked here, not by the board: a prefetched connection gets there before the board mounts.
    connection.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connecting') markBoard('connecting');
      else if (status === 'connected') markBoard('ws-open');
    });
    connection.provider.on('sync', (synced: boolean) => {
      if (synced) markBoard('synced');
    });
  }
  return connection;
}

/**
 * Opens a class document's connection as soon as the class page opens, in parallel with the
 * class's details and the board's code (tldraw): by the time the board mounts, its document
 * has often arrived. The board takes it with `takeCollabConnection`.
 */
export function prefetchCollabConnection(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
): void {
  const key = keyOf(classId, kind);
  if (prefetched.has(key)) return;
  prefetchDocumentState(api, classId, kind);
  const entry: Prefetched = {
    connection: open(api, classId, kind, () => {
      if (entry.onReset) entry.onReset();
      else entry.resetMeanwhile = true;
    }),
    onReset: null,
    resetMeanwhile: false,
    timer: setTimeout(() => {
      prefetched.delete(key);
      entry.connection.destroy();
    }, unclaimedForMs),
  };
  prefetched.set(key, entry);
}

/** The prefetched connection (once), else a new one; `onReset` as in CollabConnection. */
export function takeCollabConnection(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
  onReset: () => void,
): CollabConnection {
  const key = keyOf(classId, kind);
  const entry = prefetched.get(key);
  if (entry) {
    prefetched.delete(key);
    clearTimeout(entry.timer);
    if (!entry.resetMeanwhile) {
      entry.onReset = onReset;
      return entry.connection;
    }
    // The document was reset before anyone looked: that copy is stale.
    entry.connection.destroy();
  }
  return open(api, classId, kind, onReset);
}
