import { z } from 'zod';

/** Operator settings the browser needs, served to anyone (nothing secret goes here). */
export const clientConfigSchema = z.object({
  /** tldraw's licence key, when the operator bought one: it removes the watermark. */
  tldrawLicenseKey: z.string().nullable(),
  /** No account exists yet: the first sign-up becomes the server's administrator. */
  serverFresh: z.boolean(),
  /** Whether the sign-up form may ask for a teacher account (always on a fresh server). */
  teacherSignupAllowed: z.boolean(),
  /**
   * Live classes: each browser plays the microphones of this many most recent active speakers
   * (and the teachers'); 0 plays every microphone. Fewer decoders on a crowded page.
   */
  liveMicsPlayed: z.number().int().min(0),
});
export type ClientConfig = z.infer<typeof clientConfigSchema>;
