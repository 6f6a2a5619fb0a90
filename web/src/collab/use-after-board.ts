import { useEffect, useState } from 'react';

/** Longest a deferred part waits, once the board is ready, for the page to be idle. */
const idleTimeoutMs = 2_000;

/**
 * Whether a part the class page defers behind the board (the notes editor, the device check)
 * may mount yet: once the board is usable and the page idle (its first frames drawn, its first
 * input handled), after `fallbackMs` if the board never comes, or at once when `wanted`.
 * Once true it stays true.
 */
export function useAfterBoard(boardReady: boolean, wanted: boolean, fallbackMs: number): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    if (wanted) {
      setMounted(true);
      return;
    }
    if (mounted) return;
    const mount = () => setMounted(true);
    if (boardReady && typeof requestIdleCallback === 'function') {
      const idle = requestIdleCallback(mount, { timeout: idleTimeoutMs });
      return () => cancelIdleCallback(idle);
    }
    const timer = setTimeout(mount, boardReady ? idleTimeoutMs / 4 : fallbackMs);
    return () => clearTimeout(timer);
  }, [boardReady, wanted, mounted, fallbackMs]);
  return mounted || wanted;
}
