import { z } from 'zod';
import { classMemberRoleSchema } from './classes.js';

/** Chat limits the server enforces; the client uses them to warn before sending. */
export const chatLimits = {
  maxLength: 2000,
  /** Messages `class:join` hands back as `chat`. */
  historyOnJoin: 200,
  /** At most `burst` messages per user in any `windowMs`. */
  burst: 5,
  windowMs: 5000,
} as const;

/** `teachers`: a private message to the class's teachers (and its sender). */
export const chatRecipientSchema = z.enum(['everyone', 'teachers']);
export type ChatRecipient = z.infer<typeof chatRecipientSchema>;

export const chatMessageSchema = z.object({
  id: z.string(),
  classId: z.string(),
  /** The sender's user id. */
  senderId: z.string(),
  senderName: z.string(),
  role: classMemberRoleSchema,
  /** Plain text: clients render it as text, never as HTML. */
  text: z.string(),
  sentAt: z.string(),
  to: chatRecipientSchema,
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatSendSchema = z.strictObject({
  text: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(chatLimits.maxLength, `must be at most ${chatLimits.maxLength} characters`),
  to: chatRecipientSchema.default('everyone'),
});
export type ChatSend = z.input<typeof chatSendSchema>;

export const chatHistoryQuerySchema = z.strictObject({
  /** Only messages sent before this instant (the `sentAt` of the oldest one already shown). */
  before: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ChatHistoryQuery = z.input<typeof chatHistoryQuerySchema>;

/** Oldest first. */
export const chatHistoryResponseSchema = z.object({ messages: z.array(chatMessageSchema) });
export type ChatHistoryResponse = z.infer<typeof chatHistoryResponseSchema>;
