import { useEffect, useState } from 'react';

/** Longest the notes wait for the board before mounting anyway (a board that failed). */
const notesFallbackMs = 5_000;

/**
 * Whether to mount the notes editor yet. TipTap and its connection would compete with the
 * board for the same CPU while the page opens, so the notes come once the board is usable,
 * or at once when they are asked for.
 */
export function useDeferredNotes(boardReady: boolean, notesWanted: boolean): boolean {
  const [mounted, setMounted] = useState(false);
  const now = boardReady || notesWanted;
  useEffect(() => {
    if (now) {
      setMounted(true);
      return;
    }
    const timer = setTimeout(() => setMounted(true), notesFallbackMs);
    return () => clearTimeout(timer);
  }, [now]);
  return mounted || now;
}
