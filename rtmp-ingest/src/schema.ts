import type { Generated } from 'kysely';
import type { RecordingKind } from '@educloud/protocol';

export const recordingStatuses = ['live', 'finalizing', 'ready', 'failed'] as const;
export type RecordingStatus = (typeof recordingStatuses)[number];

// Timestamps are ISO-8601 text and booleans 0/1 integers so the same SQL runs on SQLite and
// PostgreSQL; counters come back as number (SQLite) or string (PostgreSQL bigint) and are
// normalised when read.
export interface RecordingsTable {
  id: string;
  class_id: string;
  title: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | string | null;
  size_bytes: number | string | null;
  status: RecordingStatus;
  is_public: Generated<number>;
  dir: string;
  /** The node that writes (or wrote) it; null for rows from before nodes were told apart. */
  node_id: string | null;
  kind: Generated<RecordingKind>;
}

export interface IngestDatabase {
  recordings: RecordingsTable;
}
