import { z } from 'zod';

/** Stable machine-readable error codes shared by the HTTP API and socket acks. */
export const errorCodes = [
  'validation_failed',
  'unauthorized',
  'token_expired',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal',
  // Live class refusals (socket acks).
  /** A per-peer cap (transports, producers, consumers) is reached. */
  'limit_exceeded',
  /** The waiting room is on: the socket waits for `waiting:admitted` or `waiting:denied`. */
  'waiting_room',
  'class_locked',
  /** A teacher removed this user from the class session. */
  'removed',
  'chat_disabled',
  'poll_closed',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    fields: z.array(fieldErrorSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
