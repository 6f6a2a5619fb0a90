import { useEffect, useState } from 'react';

/** Longest the notes wait for the board before mounting anyway (a board that failed). */
const notesFallbackMs = 5_000;
/** Longest the notes wait, once the board is ready, for the page to be idle. */
const idleTimeoutMs = 2_000;

/**
 * Whether to mount the notes editor yet. TipTap and its connection would compete with the
 * board for the same CPU while the page opens, so the notes come once the board is usable and
 * the page is idle (the board's first frames drawn, its first input handled), or at once when
 * they are asked for.
 */
export function useDeferredNotes(boardReady: boolean, notesWanted: boolean): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    if (notesWanted) {
      setMounted(true);
      return;
    }
    const mount = () => setMounted(true);
    if (boardReady && typeof requestIdleCallback === 'function') {
      const idle = requestIdleCallback(mount, { timeout: idleTimeoutMs });
      return () => cancelIdleCallback(idle);
    }
    const timer = setTimeout(mount, boardReady ? idleTimeoutMs / 4 : notesFallbackMs);
    return () => clearTimeout(timer);
  }, [boardReady, notesWanted]);
  return mounted || notesWanted;
}
