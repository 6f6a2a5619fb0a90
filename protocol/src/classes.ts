import { z } from 'zod';
import { displayNameSchema, userSchema } from './auth.js';

export const idParamSchema = z.strictObject({ id: z.uuid({ message: 'must be a class id' }) });
export const memberParamSchema = z.strictObject({
  id: z.uuid({ message: 'must be a class id' }),
  userId: z.uuid({ message: 'must be a user id' }),
});

const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

const classFields = {
  title: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  description: z.string().max(5000, 'must be at most 5000 characters'),
  scheduledStart: isoDateTime.nullable(),
  scheduledEnd: isoDateTime.nullable(),
};

function endAfterStart(v: { scheduledStart?: string | null; scheduledEnd?: string | null }) {
  return (
    !v.scheduledStart ||
    !v.scheduledEnd ||
    Date.parse(v.scheduledEnd) > Date.parse(v.scheduledStart)
  );
}
const endAfterStartIssue = { message: 'must be after scheduledStart', path: ['scheduledEnd'] };

export const createClassRequestSchema = z
  .strictObject({
    title: classFields.title,
    description: classFields.description.default(''),
    scheduledStart: classFields.scheduledStart.default(null),
    scheduledEnd: classFields.scheduledEnd.default(null),
  })
  .refine(endAfterStart, endAfterStartIssue);
export type CreateClassRequest = z.input<typeof createClassRequestSchema>;

export const updateClassRequestSchema = z
  .strictObject({
    title: classFields.title.optional(),
    description: classFields.description.optional(),
    scheduledStart: classFields.scheduledStart.optional(),
    scheduledEnd: classFields.scheduledEnd.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'must change at least one field' })
  .refine(endAfterStart, endAfterStartIssue);
export type UpdateClassRequest = z.input<typeof updateClassRequestSchema>;

export const classMemberRoleSchema = z.enum(['teacher', 'student']);
export type ClassMemberRole = z.infer<typeof classMemberRoleSchema>;

export const classSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  scheduledStart: z.string().nullable(),
  scheduledEnd: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The caller's role in this class. */
  myRole: classMemberRoleSchema,
  /** Only present for the class's teachers; null when the invite link is revoked. */
  inviteUrl: z.string().nullable().optional(),
});
export type ClassInfo = z.infer<typeof classSchema>;

export const classResponseSchema = z.object({ class: classSchema });
export const classListResponseSchema = z.object({ classes: z.array(classSchema) });
export type ClassListResponse = z.infer<typeof classListResponseSchema>;

export const rosterEntrySchema = z.object({
  user: userSchema.omit({ email: true }),
  role: classMemberRoleSchema,
  joinedAt: z.string(),
});
export const rosterResponseSchema = z.object({ members: z.array(rosterEntrySchema) });
export type RosterResponse = z.infer<typeof rosterResponseSchema>;

export const inviteResponseSchema = z.object({ inviteUrl: z.string().nullable() });
export type InviteResponse = z.infer<typeof inviteResponseSchema>;

export const streamKeyResponseSchema = z.object({
  /** What OBS calls "Server". */
  serverUrl: z.string(),
  /** What OBS calls "Stream Key". */
  streamKey: z.string(),
});
export type StreamKeyResponse = z.infer<typeof streamKeyResponseSchema>;

export const inviteCodeParamSchema = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be an invite code'),
});

export const invitePreviewResponseSchema = z.object({
  class: z.object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    scheduledStart: z.string().nullable(),
    scheduledEnd: z.string().nullable(),
  }),
});
export type InvitePreviewResponse = z.infer<typeof invitePreviewResponseSchema>;

export const guestJoinRequestSchema = z.strictObject({ displayName: displayNameSchema });
export type GuestJoinRequest = z.infer<typeof guestJoinRequestSchema>;

export const guestJoinResponseSchema = z.object({
  user: userSchema,
  classId: z.string(),
  /** Accepted only for this class. */
  guestToken: z.string(),
  guestTokenExpiresAt: z.string(),
});
export type GuestJoinResponse = z.infer<typeof guestJoinResponseSchema>;
