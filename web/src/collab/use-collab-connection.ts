import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { ApiClient } from '../api/api-client.js';
import { CollabConnection, type CollabStatus } from './collab-connection.js';

const connectingStatus: CollabStatus = { state: 'connecting' };

/**
 * A connection to one class document for the lifetime of the calling component. `rebuild()`
 * replaces it with a fresh document from the server, discarding local edits the server refused
 * (a student who edited in the instant a teacher locked the document).
 */
export function useCollabConnection(
  api: ApiClient,
  classId: string,
  docName: string,
): { connection: CollabConnection | null; status: CollabStatus; rebuild: () => void } {
  const [generation, setGeneration] = useState(0);
  const [connection, setConnection] = useState<CollabConnection | null>(null);

  useEffect(() => {
    const conn = new CollabConnection({ docName, getToken: () => api.tokenFor(classId) });
    setConnection(conn);
    return () => {
      setConnection(null);
      conn.destroy();
    };
  }, [api, classId, docName, generation]);

  const subscribe = useCallback(
    (listener: () => void) => connection?.subscribe(listener) ?? (() => {}),
    [connection],
  );
  const status = useSyncExternalStore(subscribe, () => connection?.getStatus() ?? connectingStatus);
  const rebuild = useCallback(() => setGeneration((g) => g + 1), []);
  return { connection, status, rebuild };
}
