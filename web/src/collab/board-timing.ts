/**
 * Performance marks of the first board a page loads (`board:<step>`, ms since navigation),
 * read by bench/collab-board.bench.mjs to show where the opening time goes.
 */
export type BoardStep =
  | 'code' // the whiteboard's chunk (tldraw) evaluated
  | 'connecting' // token and epoch known, the WebSocket is being opened
  | 'ws-open'
  | 'synced' // the server's state arrived and was applied to the Y document
  | 'store' // the tldraw store holds the document's records
  | 'editor'; // tldraw mounted its editor on that store

export function markBoard(step: BoardStep): void {
  const name = `board:${step}`;
  // Only the first load counts: reconnects and rebuilds would blur it.
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
