import { z } from 'zod';

/** Operator settings the browser needs, served to anyone (nothing secret goes here). */
export const clientConfigSchema = z.object({
  /** tldraw's licence key, when the operator bought one: it removes the watermark. */
  tldrawLicenseKey: z.string().nullable(),
});
export type ClientConfig = z.infer<typeof clientConfigSchema>;
