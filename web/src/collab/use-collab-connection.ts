import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { ClassDocumentKind } from '@educloud/protocol';
import type { CollabConnection, CollabStatus } from './collab-connection.js';
import { takeCollabConnection } from './collab-connection-prefetch.js';

const connectingStatus: CollabStatus = { state: 'connecting' };

/**
 * A connection to one class document for the lifetime of the calling component. `rebuild()`
 * replaces it with a fresh document from the server, discarding local edits the server refused
 * (a student who edited in the instant a teacher locked the document); a teacher's reset of
 * the document rebuilds it too.
 */
export function useCollabConnection(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
): { connection: CollabConnection | null; status: CollabStatus; rebuild: () => void } {
  const [generation, setGeneration] = useState(0);
  const [connection, setConnection] = useState<CollabConnection | null>(null);

  useEffect(() => {
    // The class page may have opened it already (collab-connection-prefetch.ts).
    const conn = takeCollabConnection(api, classId, kind, () => setGeneration((g) => g + 1));
    setConnection(conn);
    return () => {
      setConnection(null);
      conn.destroy();
    };
  }, [api, classId, kind, generation]);

  const subscribe = useCallback(
    (listener: () => void) => connection?.subscribe(listener) ?? (() => {}),
    [connection],
  );
  const status = useSyncExternalStore(subscribe, () => connection?.getStatus() ?? connectingStatus);
  const rebuild = useCallback(() => setGeneration((g) => g + 1), []);
  return { connection, status, rebuild };
}
