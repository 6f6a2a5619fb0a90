import { z } from 'zod';
import { errorCodes } from './errors.js';

/*
 * The live-class Socket.IO protocol. Every client event carries one payload and an ack
 * callback; the server answers `{ ok: true, data }` or `{ ok: false, error: { code, message } }`.
 * mediasoup's own objects (RTP capabilities and parameters, DTLS/ICE parameters) are passed
 * through as opaque records: mediasoup validates them itself and we turn its errors into acks.
 */

const id = z.string().min(1).max(100);
const opaque = z.record(z.string(), z.unknown());

/** `ingest` is the teacher's OBS broadcast bridged in from RTMP. */
export const mediaSourceSchema = z.enum(['camera', 'mic', 'screen', 'screenAudio', 'ingest']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;
export const mediaKindSchema = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKindSchema>;

export const ackErrorSchema = z.object({ code: z.enum(errorCodes), message: z.string() });
export type AckError = z.infer<typeof ackErrorSchema>;
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

export const producerInfoSchema = z.object({
  producerId: z.string(),
  peerId: z.string(),
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof producerInfoSchema>;

export const peerInfoSchema = z.object({
  peerId: z.string(),
  userId: z.string(),
  name: z.string(),
  role: z.enum(['teacher', 'student']),
  handRaised: z.boolean(),
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

export const transportInfoSchema = z.object({
  id: z.string(),
  iceParameters: opaque,
  iceCandidates: z.array(opaque),
  dtlsParameters: opaque,
});
export type TransportInfo = z.infer<typeof transportInfoSchema>;

/** Payload schemas of the events a client sends, by event name. */
export const clientEvents = {
  'class:join': z.strictObject({
    classId: z.uuid(),
    /** The peer id of a session this client had before its socket dropped. */
    resumePeerId: id.optional(),
  }),
  'class:leave': z.strictObject({}),
  'class:start': z.strictObject({}),
  'class:end': z.strictObject({}),
  'transport:create': z.strictObject({ direction: z.enum(['send', 'recv']) }),
  'transport:connect': z.strictObject({ transportId: id, dtlsParameters: opaque }),
  'transport:restartIce': z.strictObject({ transportId: id }),
  'transport:stats': z.strictObject({ transportId: id }),
  produce: z.strictObject({
    transportId: id,
    kind: mediaKindSchema,
    rtpParameters: opaque,
    source: mediaSourceSchema.exclude(['ingest']),
  }),
  'producer:pause': z.strictObject({ producerId: id }),
  'producer:resume': z.strictObject({ producerId: id }),
  'producer:close': z.strictObject({ producerId: id }),
  consume: z.strictObject({ transportId: id, producerId: id, rtpCapabilities: opaque }),
  'consumer:resume': z.strictObject({ consumerId: id }),
  'consumer:setPreferredLayers': z.strictObject({
    consumerId: id,
    spatialLayer: z.number().int().min(0).max(2),
    temporalLayer: z.number().int().min(0).max(2).optional(),
  }),
  'hand:set': z.strictObject({ raised: z.boolean() }),
  'moderation:mute': z.strictObject({ peerId: id }),
  'moderation:kick': z.strictObject({ peerId: id }),
  /** A fresh access (or guest) token for this socket, sent before the current one expires. */
  'session:refresh': z.strictObject({ token: z.string().min(1).max(4096) }),
} as const;
export type ClientEventName = keyof typeof clientEvents;
export type ClientEventPayload<E extends ClientEventName> = z.input<(typeof clientEvents)[E]>;

export interface JoinResult {
  peerId: string;
  role: 'teacher' | 'student';
  resumed: boolean;
  live: boolean;
  routerRtpCapabilities: Record<string, unknown>;
  peers: PeerInfo[];
  producers: ProducerInfo[];
}

export interface ConsumeResult {
  consumerId: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: Record<string, unknown>;
  type: string;
  producerPaused: boolean;
}

/** What each client event answers with in `data`. */
export interface ClientEventResults {
  'class:join': JoinResult;
  'class:leave': null;
  'class:start': null;
  'class:end': null;
  'transport:create': TransportInfo;
  'transport:connect': null;
  'transport:restartIce': { iceParameters: Record<string, unknown> };
  'transport:stats': TransportStats;
  produce: { producerId: string };
  'producer:pause': null;
  'producer:resume': null;
  'producer:close': null;
  consume: ConsumeResult;
  'consumer:resume': null;
  'consumer:setPreferredLayers': null;
  'hand:set': null;
  'moderation:mute': null;
  'moderation:kick': null;
  'session:refresh': { expiresAt: string };
}

export interface TransportStats {
  /** Round-trip time in ms as the SFU sees it, when known. */
  rttMs: number | null;
  /** Bits per second the SFU receives / sends on this transport. */
  recvBitrate: number;
  sendBitrate: number;
  /** 0 (bad) to 10 (perfect): the worst score among the transport's streams. */
  score: number | null;
}

export const sessionRevocationReasons = [
  'logged_out_everywhere',
  'password_changed',
  'role_changed',
  'token_reused',
  'removed_from_class',
  'class_deleted',
] as const;
export type SessionRevocationReason = (typeof sessionRevocationReasons)[number];

/** Events the server sends, with their payloads. */
export interface ServerEvents {
  'peer:joined': (peer: PeerInfo) => void;
  'peer:left': (e: { peerId: string }) => void;
  'peer:updated': (peer: PeerInfo) => void;
  'producer:new': (p: ProducerInfo) => void;
  'producer:closed': (e: { producerId: string; peerId: string }) => void;
  'producer:paused': (e: { producerId: string; peerId: string; paused: boolean }) => void;
  'consumer:closed': (e: { consumerId: string }) => void;
  'consumer:layers': (e: { consumerId: string; spatialLayer: number | null }) => void;
  'speaker:active': (e: { peerId: string | null }) => void;
  'class:live': (e: { live: boolean }) => void;
  'class:ended': () => void;
  /** The same user opened the class elsewhere; this session is over. */
  'session:replaced': () => void;
  /** The media server holding this class restarted: create transports again. */
  'media:reconnect': () => void;
  kicked: () => void;
  /** The socket's token expired without a `session:refresh`: reconnect with a fresh one. */
  'session:expired': () => void;
  /** The account's sessions were ended or its class membership was; the socket closes. */
  'session:revoked': (e: { reason: SessionRevocationReason }) => void;
  /** The teacher's OBS broadcast started or stopped (HLS watchers and the live room). */
  'broadcast:status': (e: { live: boolean; recordingId: string | null }) => void;
}

export type ClientEvents = {
  [E in ClientEventName]: (
    payload: ClientEventPayload<E>,
    ack: (result: Ack<ClientEventResults[E]>) => void,
  ) => void;
};
