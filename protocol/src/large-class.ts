import { z } from 'zod';

/*
 * Large classes: each participant receives the camera video of the teachers, of the N most
 * recent speakers (last-N) and of the tiles it has on screen; the server pauses the rest of its
 * video consumers (audio always flows). Publishers are told which simulcast layers anyone
 * watches (dynacast) so they stop encoding the others.
 */

/** The most tiles one client may report visible (a grid page is far smaller). */
export const maxVisibleTiles = 100;

/** Client → server: the peers whose tiles are on this client's screen (grid page, stage). */
export const videoVisibleSchema = z.strictObject({
  peerIds: z.array(z.string().min(1).max(100)).max(maxVisibleTiles),
});
export type VideoVisible = z.infer<typeof videoVisibleSchema>;

/** Server → client: the peers whose camera video this client receives now; the rest show an avatar. */
export interface VideoSelection {
  peerIds: string[];
}

/**
 * Server → publisher: the highest simulcast layer any consumer of its camera wants now
 * (`null`: nobody watches it, pause it at the source).
 */
export interface VideoLayersWanted {
  producerId: string;
  maxSpatialLayer: number | null;
}
