import type { ClassDocumentKind, ClassDocumentState } from '@educloud/protocol';
import type { ApiClient } from '../api/api-client.js';
import { fetchDocumentState } from './document-lock.js';

/** A prefetched state older than this is asked again: a reset may have happened meanwhile. */
const freshForMs = 10_000;

const prefetched = new Map<string, { at: number; state: Promise<ClassDocumentState> }>();
const keyOf = (classId: string, kind: ClassDocumentKind) => `${classId}/${kind}`;

/**
 * Asks for a class document's state (its epoch) as soon as the class page opens, in parallel
 * with the class's details and the board's code, so the board connects as soon as it mounts.
 */
export function prefetchDocumentState(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
): void {
  const state = fetchDocumentState(api, classId, kind);
  // Whoever takes it handles a failure; unused, it must not count as unhandled.
  state.catch(() => {});
  prefetched.set(keyOf(classId, kind), { at: Date.now(), state });
}

/** The prefetched state, once, if it is recent; otherwise a new request. */
export function documentStateOnce(
  api: ApiClient,
  classId: string,
  kind: ClassDocumentKind,
): Promise<ClassDocumentState> {
  const key = keyOf(classId, kind);
  const entry = prefetched.get(key);
  prefetched.delete(key);
  if (entry && Date.now() - entry.at < freshForMs) {
    return entry.state.catch(() => fetchDocumentState(api, classId, kind));
  }
  return fetchDocumentState(api, classId, kind);
}
