import { z } from 'zod';

/** What the teachers allow in a class; stored with the class, so it survives a restart. */
export const classSettingsSchema = z.object({
  studentsMayUnmute: z.boolean(),
  studentsMayShareScreen: z.boolean(),
  /** Off: students cannot write to everyone (they may still write to the teachers). */
  chatEnabled: z.boolean(),
  /** No new joins (teachers and people already in still get in). */
  locked: z.boolean(),
  /** Students wait until a teacher admits them. */
  waitingRoom: z.boolean(),
});
export type ClassSettings = z.infer<typeof classSettingsSchema>;

export const defaultClassSettings: ClassSettings = {
  studentsMayUnmute: false,
  studentsMayShareScreen: false,
  chatEnabled: true,
  locked: false,
  waitingRoom: false,
};

export const classSettingsUpdateSchema = classSettingsSchema
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'must change at least one setting' });
export type ClassSettingsUpdate = z.input<typeof classSettingsUpdateSchema>;

export const waitingEntrySchema = z.object({
  userId: z.string(),
  name: z.string(),
  since: z.string(),
});
export type WaitingEntry = z.infer<typeof waitingEntrySchema>;

export const moderationNoticeKinds = [
  'muted',
  'mutedAll',
  'cameraStopped',
  'unmuteAllowed',
  'unmuteRequested',
  'roleChanged',
] as const;
/** Told to the student a teacher acted on; `by` is the teacher's name. */
export const moderationNoticeSchema = z.object({
  kind: z.enum(moderationNoticeKinds),
  by: z.string(),
});
export type ModerationNotice = z.infer<typeof moderationNoticeSchema>;

export const memberParamSchema = z.strictObject({
  id: z.uuid({ message: 'must be a class id' }),
  userId: z.string().min(1).max(100),
});
