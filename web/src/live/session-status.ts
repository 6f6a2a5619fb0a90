/**
 * A live session's states and the transitions between them, all in one place.
 *
 *   connecting ──join ok──▶ joined ◀──rejoin ok── reconnecting
 *     │   │                  │  ▲                     ▲
 *     │   │                  │  └─ media:reconnect ───┘ (rebuilds media, stays joined)
 *     │   │                  └──socket drops─────────▶┘
 *     │   └─waiting room on──▶ waiting ──waiting:admitted, join ok──▶ joined
 *     └─cannot connect / join failed──▶ error ──socket connects again, join ok──▶ joined
 *
 *   any live state ──▶ ended    (the teacher ended the class: class:ended)
 *                  ──▶ replaced (the same user opened the class elsewhere: session:replaced)
 *                  ──▶ kicked   (a teacher removed this user: kicked)
 *                  ──▶ removed  (join refused: a teacher removed this user earlier)
 *                  ──▶ locked   (join refused: the class is locked)
 *                  ──▶ denied   (a teacher turned this user away from the waiting room)
 *                  ──▶ left     (this user left, or the room view closed)
 *
 * Those last seven are final: nothing brings a finished session back.
 */
export type SessionStatus =
  | 'connecting'
  | 'waiting'
  | 'joined'
  | 'reconnecting'
  | 'error'
  | 'ended'
  | 'replaced'
  | 'kicked'
  | 'removed'
  | 'locked'
  | 'denied'
  | 'left';

const finished = ['ended', 'replaced', 'kicked', 'removed', 'locked', 'denied', 'left'] as const;

const transitions: Record<SessionStatus, readonly SessionStatus[]> = {
  connecting: ['joined', 'waiting', 'error', ...finished],
  waiting: ['joined', 'waiting', 'error', ...finished],
  joined: ['joined', 'reconnecting', 'error', ...finished],
  reconnecting: ['joined', 'waiting', 'error', ...finished],
  error: ['joined', 'waiting', 'error', ...finished],
  ended: [],
  replaced: [],
  kicked: [],
  removed: [],
  locked: [],
  denied: [],
  left: [],
};

export function canMove(from: SessionStatus, to: SessionStatus): boolean {
  return transitions[from].includes(to);
}

export function isFinished(status: SessionStatus): boolean {
  return (finished as readonly SessionStatus[]).includes(status);
}
