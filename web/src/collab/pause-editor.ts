import type { Editor } from 'tldraw';

/** The part of tldraw's (internal) TickManager used here: it drives the editor's frame loop. */
interface FrameLoop {
  start(): void;
  dispose(): void;
}

/**
 * Stops a hidden editor's frame loop; the returned function starts it again. tldraw runs a
 * requestAnimationFrame loop ("tick") for as long as an editor lives, shown or not: a board
 * kept mounted off stage cost every page of the live class a fifth of a core. tldraw 3.15 has
 * no public switch for it, so this reaches its TickManager, and does nothing if that changes.
 * The store keeps taking remote changes meanwhile; only the per-frame work stops.
 */
export function pauseEditor(editor: Editor): () => void {
  const loop = (editor as unknown as { _tickManager?: Partial<FrameLoop> })._tickManager;
  if (typeof loop?.start !== 'function' || typeof loop.dispose !== 'function') return () => {};
  const { start, dispose } = loop as FrameLoop;
  const stop = () => dispose.call(loop);
  stop();
  // A new editor starts its loop on its first frame: stop it again after that.
  const frame = requestAnimationFrame(stop);
  return () => {
    cancelAnimationFrame(frame);
    if (!editor.isDisposed) start.call(loop);
  };
}
