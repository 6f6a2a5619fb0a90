/** Tables owned by signaling. Timestamps are ISO-8601 text so SQLite and PostgreSQL agree. */
export interface SignalingTables {
  users: {
    id: string;
    email: string | null;
    password_hash: string | null;
    display_name: string;
    role: 'admin' | 'teacher' | 'student' | 'guest';
    created_at: string;
  };
  refresh_tokens: {
    id: string;
    user_id: string;
    token_hash: string;
    expires_at: string;
    revoked_at: string | null;
    created_at: string;
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
    /** 0 or 1: portable between SQLite and PostgreSQL. */
    hand_raised: number;
    updated_at: string;
  };
}
