import { z } from 'zod';
import { errorCodes } from './errors.js';
import { mediaKindSchema, mediaSourceSchema } from './media.js';
import { stageContentSchema } from './stage.js';

/*
 * Recording a live class: the teacher starts and stops it over the live socket, everyone in
 * the class is told, and the recording is replayed with its board, chat and timeline.
 * Times are epoch milliseconds on the server's clock, shared by the media and the timeline.
 */

/** What a recording holds: an OBS broadcast (HLS) or the live class itself (per-track media). */
export const recordingKinds = ['broadcast', 'class'] as const;
export const recordingKindSchema = z.enum(recordingKinds);
export type RecordingKind = z.infer<typeof recordingKindSchema>;

/** Why a recording did not start: the code of the ack it would have had, and a message to show. */
export const classRecordingRefusalSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
});
export type ClassRecordingRefusal = z.infer<typeof classRecordingRefusalSchema>;

/** Sent to everyone in the class when recording starts or stops, and to each joiner. */
export const classRecordingStatusSchema = z.object({
  recording: z.boolean(),
  recordingId: z.string().nullable(),
  /** ISO time recording started; null when not recording. */
  startedAt: z.string().nullable(),
  /**
   * Set when "record automatically" could not start the recording as the class went live (the
   * disk would fill, the teacher's quota is used up). Sent to the class's teachers only: at
   * once, and to each teacher joining while the class is live.
   */
  refused: classRecordingRefusalSchema.optional(),
});
export type ClassRecordingStatus = z.infer<typeof classRecordingStatusSchema>;

export const classRecordingEvents = {
  /** Teachers only (`forbidden` otherwise); `conflict` when already recording or the disk is full. */
  'recording:start': z.strictObject({}),
  'recording:stop': z.strictObject({}),
} as const;

/** One media track of a class recording: one producer, from its start to its end. */
export const recordingTrackSchema = z.object({
  trackId: z.string(),
  peerId: z.string(),
  name: z.string(),
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  /** Epoch ms of the track's first media, on the timeline's clock. */
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** Finished file, relative to the recording (null until finalized, or nothing was written). */
  file: z.string().nullable(),
});
export type RecordingTrack = z.infer<typeof recordingTrackSchema>;

const at = z.number();
/** One line of a class recording's timeline (timeline.jsonl beside the media). */
export const timelineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('recording'), at, state: z.enum(['started', 'stopped']) }),
  z.object({ type: z.literal('join'), at, peerId: z.string(), name: z.string() }),
  z.object({ type: z.literal('leave'), at, peerId: z.string() }),
  z.object({ type: z.literal('speaker'), at, peerId: z.string().nullable() }),
  z.object({
    type: z.literal('track'),
    at,
    state: z.enum(['started', 'ended']),
    track: recordingTrackSchema,
  }),
  z.object({
    type: z.literal('chat'),
    at,
    messageId: z.string(),
    from: z.string(),
    text: z.string(),
  }),
  z.object({ type: z.literal('hand'), at, peerId: z.string(), raised: z.boolean() }),
  z.object({
    type: z.literal('breakout'),
    at,
    /** opened (rooms), moved (userId to roomId, null: the main room), extended (endsAt), closed. */
    action: z.enum(['opened', 'moved', 'extended', 'closed']),
    rooms: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
    userId: z.string().optional(),
    roomId: z.string().nullable().optional(),
    endsAt: z.number().optional(),
  }),
  /** What the presenter put on stage for everyone (null: taken down). */
  z.object({
    type: z.literal('stage'),
    at,
    content: stageContentSchema.nullable(),
  }),
  /** The whiteboard page the presenter shows (written when it changes, and at the start). */
  z.object({ type: z.literal('page'), at, pageId: z.string() }),
  z.object({
    type: z.literal('poll'),
    at,
    pollId: z.string(),
    state: z.enum(['opened', 'closed']),
    question: z.string(),
  }),
]);
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

/** manifest.json of a finished class recording. */
export const classRecordingManifestSchema = z.object({
  recordingId: z.string(),
  classId: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  tracks: z.array(recordingTrackSchema),
});
export type ClassRecordingManifest = z.infer<typeof classRecordingManifestSchema>;

/** Everything the replay page needs: files (signed links), timeline, the class's documents. */
export const classReplayResponseSchema = z.object({
  manifest: classRecordingManifestSchema,
  /** Base URL the manifest's `file` names and `timeline.jsonl` are appended to. */
  filesUrl: z.string(),
  timeline: z.array(timelineEventSchema),
  /** Whiteboard document name; its state at a time comes from the board endpoint. */
  boardDoc: z.string(),
  export: z.object({
    status: z.enum(['none', 'running', 'ready', 'failed']),
    progress: z.number(),
    url: z.string().nullable(),
    /** Why the export lacks a part (the whiteboard could not be drawn); null: complete. */
    warning: z.string().nullable(),
  }),
});
export type ClassReplayResponse = z.infer<typeof classReplayResponseSchema>;

export const boardAtQuerySchema = z.strictObject({
  at: z.coerce.number().int().nonnegative(),
});

/** The whiteboard's tldraw records as they were at `at` (from the collab log). */
export const boardAtResponseSchema = z.object({
  at: z.number(),
  records: z.array(z.record(z.string(), z.unknown())),
});
export type BoardAtResponse = z.infer<typeof boardAtResponseSchema>;

/** A class's recording settings (`GET`/`PUT /api/classes/:id/recording-settings`). */
export const classRecordingSettingsSchema = z.strictObject({
  /** Recording starts by itself when a teacher starts the class (goes live). */
  autoRecord: z.boolean(),
});
export type ClassRecordingSettings = z.infer<typeof classRecordingSettingsSchema>;
