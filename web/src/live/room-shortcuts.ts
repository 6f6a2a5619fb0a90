/** What the live room's keyboard shortcuts do. */
export type RoomCommand = 'mic' | 'camera' | 'hand' | 'leave' | 'help' | 'fullscreen' | 'panel';

export interface Shortcut {
  command: RoomCommand;
  /** KeyboardEvent.code: the same physical key whatever the layout (Alt+M types µ on a Mac). */
  code: string;
  keys: string;
  label: string;
}

/**
 * Alt + a letter: single letters belong to the whiteboard (tldraw's tools) and to typing in
 * the chat; Alt combinations reach the page in every major browser.
 */
export const roomShortcuts: readonly Shortcut[] = [
  { command: 'mic', code: 'KeyM', keys: 'Alt + M', label: 'Turn your microphone on or off' },
  { command: 'camera', code: 'KeyV', keys: 'Alt + V', label: 'Turn your camera on or off' },
  { command: 'hand', code: 'KeyH', keys: 'Alt + H', label: 'Raise or lower your hand' },
  { command: 'panel', code: 'KeyP', keys: 'Alt + P', label: 'Show or hide the side panel' },
  { command: 'fullscreen', code: 'KeyF', keys: 'Alt + F', label: 'Full screen on or off' },
  { command: 'leave', code: 'KeyQ', keys: 'Alt + Q', label: 'Leave the class (asks first)' },
  { command: 'help', code: 'Slash', keys: 'Alt + /', label: 'Show these shortcuts' },
];

/** The command a key press stands for, if any. */
export function commandFor(e: {
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}): RoomCommand | null {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  return roomShortcuts.find((s) => s.code === e.code)?.command ?? null;
}
