import type { Generated } from 'kysely';

/** Tables owned by signaling. Timestamps are ISO-8601 text so SQLite and PostgreSQL agree. */
export interface SignalingTables {
  users: {
    id: string;
    email: string | null;
    password_hash: string | null;
    display_name: string;
    role: 'admin' | 'teacher' | 'student' | 'guest';
    created_at: string;
    /** Bumped to end every access token of the account (log out everywhere …). */
    session_version: Generated<number>;
  };
  refresh_tokens: {
    id: string;
    user_id: string;
    token_hash: string;
    expires_at: string;
    revoked_at: string | null;
    created_at: string;
    /** The id of the first token of its rotation chain (null only before migration 0002). */
    family_id: string | null;
  };
  classes: {
    id: string;
    title: string;
    description: string;
    scheduled_start: string | null;
    scheduled_end: string | null;
    created_by: string;
    invite_code: string | null;
    stream_key_salt: string;
    created_at: string;
    updated_at: string;
  };
  class_members: {
    class_id: string;
    user_id: string;
    role: 'teacher' | 'student';
    joined_at: string;
  };
  /** Chat of a class; `recipient` 'teachers' is a private message to its teachers. */
  class_chat_messages: {
    id: string;
    class_id: string;
    sender_id: string;
    sender_name: string;
    sender_role: 'teacher' | 'student';
    text: string;
    recipient: 'everyone' | 'teachers';
    sent_at: string;
    deleted_at: string | null;
    deleted_by: string | null;
  };
  /** Booleans are 0/1 integers and lists JSON text, the same on SQLite and PostgreSQL. */
  class_polls: {
    id: string;
    class_id: string;
    created_by: string;
    question: string;
    options: string;
    multiple: number;
    anonymous: number;
    correct: string | null;
    status: 'open' | 'closed';
    shared: number;
    created_at: string;
    closed_at: string | null;
  };
  class_poll_votes: {
    poll_id: string;
    user_id: string;
    user_name: string;
    choices: string;
    voted_at: string;
  };
  class_settings: {
    class_id: string;
    students_may_unmute: number;
    students_may_share_screen: number;
    chat_enabled: number;
    locked: number;
    waiting_room: number;
    updated_at: string;
  };
  /** Who a teacher removed from the current session of a class; cleared when it ends. */
  class_removals: {
    class_id: string;
    user_id: string;
    removed_by: string;
    removed_at: string;
  };
  /** Students a teacher muted in the current session of a class; cleared when it ends. */
  class_forced_mutes: {
    class_id: string;
    user_id: string;
    muted_at: string;
  };
  /** Classes a teacher started and has not ended (survives a restart). */
  live_classes: {
    class_id: string;
    started_at: string;
  };
  /** Who is in a live class right now, so a restarted node can take them back. */
  live_members: {
    class_id: string;
    peer_id: string;
    user_id: string;
    name: string;
    role: 'teacher' | 'student';
    /** Booleans are 0 or 1: portable between SQLite and PostgreSQL. */
    hand_raised: number;
    /** Epoch milliseconds: the hand's place in the queue. */
    hand_raised_at: number | null;
    forced_mute: number;
    updated_at: string;
  };
  /** What is on a live class's stage (StageState as JSON), so a restart keeps it. */
  live_stage: {
    class_id: string;
    state: string;
    updated_at: string;
  };
  /** Breakout rooms of a class, kept after they close (their whiteboards stay listed). */
  breakout_rooms: {
    id: string;
    class_id: string;
    name: string;
    position: number;
    created_at: string;
    closed_at: string | null;
  };
  /** Where each student of a class with open breakouts is (absent: the main room). */
  breakout_placements: {
    class_id: string;
    user_id: string;
    breakout_id: string;
  };
  /**
   * The breakouts a class runs now (one row at most a class): enough to take them up again
   * after a restart, and for one node only to end them when their time is up.
   */
  breakout_sessions: {
    class_id: string;
    id: string;
    assignment: 'random' | 'manual' | 'choose';
    /** ISO time at which everyone returns to the main room. */
    ends_at: string;
  };
}
