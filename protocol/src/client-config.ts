import { z } from 'zod';

/** Operator settings the browser needs, served to anyone (nothing secret goes here). */
export const clientConfigSchema = z.object({
  /** tldraw's licence key, when the operator bought one: it removes the watermark. */
  tldrawLicenseKey: z.string().nullable(),
  /** No account exists yet: the first sign-up becomes the server's administrator. */
  serverFresh: z.boolean(),
  /** Whether the sign-up form may ask for a teacher account (always on a fresh server). */
  teacherSignupAllowed: z.boolean(),
});
export type ClientConfig = z.infer<typeof clientConfigSchema>;
