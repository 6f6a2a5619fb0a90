import { z } from 'zod';
import { recordingKindSchema } from './class-recording.js';

/** Path parameters of a class's recording. */
export const recordingParamsSchema = z.strictObject({
  id: z.uuid({ message: 'must be a class id' }),
  rid: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a recording id'),
});

export const publicRecordingParamsSchema = recordingParamsSchema.pick({ rid: true });

/** Why the server refused or stopped a class's broadcast: shown to its teachers. */
export const broadcastNoticeCodeSchema = z.enum([
  'quota_exceeded',
  'disk_full',
  'max_length_reached',
]);
export type BroadcastNoticeCode = z.infer<typeof broadcastNoticeCodeSchema>;

export const broadcastNoticeSchema = z.object({
  code: broadcastNoticeCodeSchema,
  message: z.string(),
  /** ISO time of the refusal or stop. */
  at: z.string(),
});
export type BroadcastNotice = z.infer<typeof broadcastNoticeSchema>;

export const broadcastStatusResponseSchema = z.object({
  live: z.boolean(),
  recordingId: z.string().nullable(),
  /** HLS master playlist of the live broadcast (a signed, expiring URL); null when not live. */
  hlsUrl: z.string().nullable(),
  /** What the publisher (OBS) sends, in bit/s; null when not live. */
  ingestBitrateBps: z.number().nullable(),
  /** The last refusal or forced stop of a broadcast of this class (teachers only, else null). */
  notice: broadcastNoticeSchema.nullable(),
});
export type BroadcastStatusResponse = z.infer<typeof broadcastStatusResponseSchema>;

export const recordingStatusSchema = z.enum(['live', 'finalizing', 'ready', 'failed']);
export type RecordingStatusValue = z.infer<typeof recordingStatusSchema>;

export const recordingSummarySchema = z.object({
  id: z.string(),
  kind: recordingKindSchema,
  title: z.string(),
  startedAt: z.string(),
  durationMs: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  status: recordingStatusSchema,
  isPublic: z.boolean(),
});
export type RecordingSummary = z.infer<typeof recordingSummarySchema>;

export const recordingListResponseSchema = z.object({
  recordings: z.array(recordingSummarySchema),
});
export type RecordingListResponse = z.infer<typeof recordingListResponseSchema>;

export const recordingResponseSchema = z.object({ recording: recordingSummarySchema });
export type RecordingResponse = z.infer<typeof recordingResponseSchema>;

export const updateRecordingRequestSchema = z
  .strictObject({
    title: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(300, 'must be at most 300 characters')
      .optional(),
    isPublic: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'must change at least one field' });
export type UpdateRecordingRequest = z.input<typeof updateRecordingRequestSchema>;

export const playbackResponseSchema = z.object({
  recording: recordingSummarySchema,
  /** HLS master playlist; signed URLs stop working at expiresAt, `public` ones do not. */
  hlsUrl: z.string(),
  /** Download of the whole recording; null until the recording is ready. */
  mp4Url: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type PlaybackResponse = z.infer<typeof playbackResponseSchema>;
