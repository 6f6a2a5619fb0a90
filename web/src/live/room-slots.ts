import type { ReactNode } from 'react';

/**
 * Places other features mount into the live room without touching its layout: a tab of the
 * side panel (next to people, chat, polls) and a button of the control bar. The room view lists
 * them in one place each (`roomTabs`, `roomControls` in live-room-view.tsx).
 */
export interface RoomTab {
  /** Unique among the tabs; also names the test ids `tab-<id>` and `panel-<id>`. */
  id: string;
  label: ReactNode;
  /** Accessible name when the label is not plain text (a badge, say). */
  ariaLabel?: string;
  teacherOnly?: boolean;
  content: ReactNode;
}

export interface RoomControl {
  /** Unique among the controls (React key). */
  id: string;
  teacherOnly?: boolean;
  /** A button (IconButton with a Tooltip and aria-label, like the others in the bar). */
  element: ReactNode;
}
