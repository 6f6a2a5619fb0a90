import { useEffect, useRef } from 'react';
import { commandFor, type RoomCommand } from './room-shortcuts.js';

/** Runs the room's keyboard shortcuts (room-shortcuts.ts) while the room is open. */
export function useRoomShortcuts(run: (command: RoomCommand) => void): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = commandFor(e);
      if (!command || e.repeat) return;
      e.preventDefault();
      latest.current(command);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}
