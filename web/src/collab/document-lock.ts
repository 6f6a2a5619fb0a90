import { useCallback, useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import type { CollabConnection } from './collab-connection.js';
import type { ApiClient, ResponseSchema } from '../api/api-client.js';
import { localOrigin } from './collab-connection.js';

export type ClassDocumentKind = 'board' | 'notes';

interface LockState {
  document: string;
  locked: boolean;
}

const lockSchema: ResponseSchema<LockState> = {
  safeParse(value) {
    const v = value as Partial<LockState> | null;
    return v && typeof v.document === 'string' && typeof v.locked === 'boolean'
      ? { success: true, data: { document: v.document, locked: v.locked } }
      : { success: false };
  },
};

/** Key in the document's `meta` map that a teacher bumps after changing the lock. */
const nudgeKey = 'lockChangedAt';
const pollMs = 20_000;

export function fetchLock(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
): Promise<LockState> {
  return api.request(`/api/classes/${classId}/documents/${kind}`, {
    auth: { classId },
    schema: lockSchema,
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
): { locked: boolean | null; setLocked: (locked: boolean) => Promise<void> } {
  // null until the server answered.
  const [locked, setLockedState] = useState<boolean | null>(null);

  const refresh = useCallback(async () => {
    try {
      setLockedState((await fetchLock(api, classId, kind)).locked);
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
        schema: lockSchema,
      });
      setLockedState(res.locked);
      doc?.transact(() => doc.getMap('meta').set(nudgeKey, Date.now()), localOrigin);
    },
    [api, classId, kind, doc],
  );

  return { locked, setLocked };
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
