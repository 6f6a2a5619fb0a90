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
}
