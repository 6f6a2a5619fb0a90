import { z } from 'zod';

/**
 * A TURN (or STUN) server the browser may relay its media through, as RTCIceServer takes it.
 * The server hands out short-lived credentials (the TURN REST convention), per user.
 */
export const iceServerSchema = z.object({
  urls: z.array(z.string()),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;
