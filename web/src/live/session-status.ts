/**
 * A live session's states and the transitions between them, all in one place.
 *
 *   connecting ──join ok──▶ joined ◀──rejoin ok── reconnecting
 *        │                    │  ▲                     ▲
 *        │                    │  └─ media:reconnect ───┘ (rebuilds media, stays joined)
 *        │                    └──socket drops─────────▶┘
 *        └─cannot connect / join refused──▶ error ──socket connects again, join ok──▶ joined
 *
 *   any live state ──▶ ended    (the teacher ended the class: class:ended)
 *                  ──▶ replaced (the same user opened the class elsewhere: session:replaced)
 *                  ──▶ kicked   (a teacher removed this user: kicked)
 *                  ──▶ left     (this user left, or the room view closed)
 *
 * The last four are final: nothing brings a finished session back.
 */
export type SessionStatus =
  'connecting' | 'joined' | 'reconnecting' | 'ended' | 'replaced' | 'kicked' | 'left' | 'error';

const finished = ['ended', 'replaced', 'kicked', 'left'] as const;

const transitions: Record<SessionStatus, readonly SessionStatus[]> = {
  connecting: ['joined', 'error', ...finished],
  joined: ['joined', 'reconnecting', 'error', ...finished],
  reconnecting: ['joined', 'error', ...finished],
  error: ['joined', 'error', ...finished],
  ended: [],
  replaced: [],
  kicked: [],
  left: [],
};

export function canMove(from: SessionStatus, to: SessionStatus): boolean {
  return transitions[from].includes(to);
}

export function isFinished(status: SessionStatus): boolean {
  return (finished as readonly SessionStatus[]).includes(status);
}
