import { mediaKindSchema, mediaSourceSchema } from '@educloud/protocol';
import { z } from 'zod';

/** The node-to-node requests of a class's media (NodeBus payloads), checked on arrival. */
const endpoint = z.object({
  ip: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  srtpParameters: z
    .object({
      cryptoSuite: z.enum([
        'AEAD_AES_256_GCM',
        'AEAD_AES_128_GCM',
        'AES_CM_128_HMAC_SHA1_80',
        'AES_CM_128_HMAC_SHA1_32',
      ]),
      keyBase64: z.string(),
    })
    .optional(),
});

export const pipeOpen = z.object({ classId: z.string().min(1), endpoint });
export const pipeOpened = z.object({ endpoint });
export const pipeClose = z.object({ classId: z.string().min(1) });
export const producerImport = z.object({
  classId: z.string().min(1),
  producer: z.object({
    id: z.string().min(1),
    peerId: z.string().min(1),
    kind: mediaKindSchema,
    source: mediaSourceSchema,
    paused: z.boolean(),
    rtpParameters: z.looseObject({}),
  }),
});
export const producerState = z.object({
  classId: z.string().min(1),
  producerId: z.string().min(1),
  state: z.enum(['paused', 'resumed', 'closed']),
});
