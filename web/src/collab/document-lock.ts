import {
  classDocumentStateSchema,
  type ClassDocumentKind,
  type ClassDocumentState,
} from '@educloud/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import type { CollabConnection } from './collab-connection.js';
import type { ApiClient } from '../api/api-client.js';
import { localOrigin } from './collab-connection.js';

export type { ClassDocumentKind };

/** Key in the document's `meta` map that a teacher bumps after changing the lock. */
const nudgeKey = 'lockChangedAt';
const pollMs = 20_000;

export function fetchDocumentState(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
): Promise<ClassDocumentState> {
  return api.request(`/api/classes/${classId}/documents/${kind}`, {
    auth: { classId },
    schema: classDocumentStateSchema,
  });
}

/**
 * Whether a class document is locked. The server's REST answer is the truth; the server pushes
 * nothing, so a teacher who toggles the lock also bumps a key in the document itself, which
 * makes every client re-read the lock at once (a value written there is only a hint: a
 * student could write it while unlocked), and so does the server refusing an edit. A slow poll
 * covers locks set elsewhere.
 */
export function useDocumentLock(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
  connection: CollabConnection | null,
): {
  locked: boolean | null;
  setLocked: (locked: boolean) => Promise<void>;
  /** Null until the server answered. */
  state: ClassDocumentState | null;
  /** Clears the document for everybody (teachers); the state before is kept for one undo. */
  reset: () => Promise<void>;
  undoReset: () => Promise<void>;
} {
  // null until the server answered.
  const [state, setState] = useState<ClassDocumentState | null>(null);

  const refresh = useCallback(async () => {
    try {
      setState(await fetchDocumentState(api, classId, kind));
    } catch {
      // Keep the last known state; the next poll or nudge tries again.
    }
  }, [api, classId, kind]);

  const doc = connection?.doc ?? null;
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), pollMs);
    // Edits refused: the lock began before this client heard of it.
    const offDenied = connection?.onPermissionDenied(() => void refresh());
    const meta = doc?.getMap('meta');
    const onMeta = (event: Y.YMapEvent<unknown>) => {
      if (event.keysChanged.has(nudgeKey)) void refresh();
    };
    meta?.observe(onMeta);
    return () => {
      clearInterval(timer);
      offDenied?.();
      meta?.unobserve(onMeta);
    };
  }, [refresh, connection, doc]);

  const setLocked = useCallback(
    async (next: boolean) => {
      const res = await api.request(`/api/classes/${classId}/documents/${kind}/lock`, {
        method: 'PUT',
        body: { locked: next },
        schema: classDocumentStateSchema,
      });
      setState(res);
      doc?.transact(() => doc.getMap('meta').set(nudgeKey, Date.now()), localOrigin);
    },
    [api, classId, kind, doc],
  );

  // Every client, this one included, is disconnected by the server and rebuilds its document.
  const changeEpoch = useCallback(
    async (action: 'reset' | 'undo-reset') => {
      const res = await api.request(`/api/classes/${classId}/documents/${kind}/${action}`, {
        method: 'POST',
        body: state ? { expectedEpoch: state.epoch } : {},
        schema: classDocumentStateSchema,
      });
      setState(res);
    },
    [api, classId, kind, state],
  );
  const reset = useCallback(() => changeEpoch('reset'), [changeEpoch]);
  const undoReset = useCallback(() => changeEpoch('undo-reset'), [changeEpoch]);

  return { locked: state?.locked ?? null, setLocked, state, reset, undoReset };
}

/**
 * Whether this user's view must be read-only (a student, while locked or not known yet), and
 * when a lock begins, a fresh document for a student: edits made in the instant before the
 * lock was seen were dropped by the server and must not linger (or be re-sent later).
 */
export function useLockedView(
  locked: boolean | null,
  canWriteWhenLocked: boolean,
  rebuild: () => void,
): boolean {
  const previous = useRef(locked);
  useEffect(() => {
    if (previous.current === false && locked === true && !canWriteWhenLocked) rebuild();
    previous.current = locked;
  }, [locked, canWriteWhenLocked, rebuild]);
  return !canWriteWhenLocked && locked !== false;
}
