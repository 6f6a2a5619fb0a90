import { z } from 'zod';

/**
 * What a producer carries. `ingest` is the teacher's OBS broadcast bridged in from RTMP; only
 * the server makes those.
 */
export const mediaSources = ['camera', 'mic', 'screen', 'screenAudio', 'ingest'] as const;
export const mediaSourceSchema = z.enum(mediaSources);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

export const mediaKinds = ['audio', 'video'] as const;
export const mediaKindSchema = z.enum(mediaKinds);
export type MediaKind = z.infer<typeof mediaKindSchema>;
