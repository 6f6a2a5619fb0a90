import { useAfterBoard } from './use-after-board.js';

/** Longest the notes wait for the board before mounting anyway (a board that failed). */
const notesFallbackMs = 5_000;

/**
 * Whether to mount the notes editor yet. TipTap and its connection would compete with the
 * board for the same CPU while the page opens, so the notes come once the board is usable and
 * the page is idle (the board's first frames drawn, its first input handled), or at once when
 * they are asked for.
 */
export function useDeferredNotes(boardReady: boolean, notesWanted: boolean): boolean {
  return useAfterBoard(boardReady, notesWanted, notesFallbackMs);
}
