import { z } from 'zod';
import { errorCodes } from './errors.js';
import { chatSendSchema, type ChatMessage } from './chat.js';
import { classMemberRoleSchema } from './classes.js';
import { iceServerSchema } from './ice-servers.js';
import { mediaKindSchema, mediaSourceSchema, type MediaKind } from './media.js';
import {
  classSettingsUpdateSchema,
  type ClassSettings,
  type ModerationNotice,
  type WaitingEntry,
} from './moderation.js';
import {
  breakoutCloseSchema,
  breakoutExtendSchema,
  breakoutMessageSchema,
  breakoutMoveSchema,
  breakoutOpenSchema,
  breakoutSpeakSchema,
  type BreakoutMoved,
  type BreakoutState,
} from './breakouts.js';
import { classRecordingEvents, type ClassRecordingStatus } from './class-recording.js';
import { pollCreateSchema, pollVoteSchema, type PollInfo, type PollResults } from './polls.js';
import { stageEvents, type StageState } from './stage.js';
import { videoVisibleSchema, type VideoLayersWanted, type VideoSelection } from './large-class.js';

/*
 * The live-class Socket.IO protocol. Every client event carries one payload and an ack
 * callback; the server answers `{ ok: true, data }` or `{ ok: false, error: { code, message } }`.
 * mediasoup's own objects (RTP capabilities and parameters, DTLS/ICE parameters) are passed
 * through as opaque records: mediasoup validates them itself and we turn its errors into acks.
 */

const id = z.string().min(1).max(100);
const opaque = z.record(z.string(), z.unknown());

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
  role: classMemberRoleSchema,
  handRaised: z.boolean(),
  /** When the hand went up (epoch ms): the teachers' queue is in ascending order. */
  handRaisedAt: z.number().nullable(),
  /** A teacher muted this student: the server refuses to resume their mic until allowed. */
  forcedMute: z.boolean(),
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

export const transportInfoSchema = z.object({
  id: z.string(),
  iceParameters: opaque,
  iceCandidates: z.array(opaque),
  dtlsParameters: opaque,
  /** TURN servers with credentials for this user; empty when the server has none. */
  iceServers: z.array(iceServerSchema).optional(),
});
export type TransportInfo = z.infer<typeof transportInfoSchema>;

/** Payload schemas of the events a client sends, by event name. */
export const clientEvents = {
  /**
   * Refused with `removed` (a teacher removed the caller this session), `class_locked`, or
   * `waiting_room`: the socket then waits for `waiting:admitted` (send `class:join` again) or
   * `waiting:denied`.
   */
  'class:join': z.strictObject({
    classId: z.uuid(),
    /** The peer id of a session this client had before its socket dropped. */
    resumePeerId: id.optional(),
  }),
  'class:leave': z.strictObject({}),
  /**
   * What every router of this server accepts, asked before joining: the browser loads its
   * mediasoup Device while the participant checks camera and microphone, not after Join.
   */
  'media:capabilities': z.strictObject({}),
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
  'hand:lower': z.strictObject({ peerId: id }),
  'hand:lowerAll': z.strictObject({}),
  'chat:send': chatSendSchema,
  'chat:delete': z.strictObject({ messageId: id }),
  'poll:create': pollCreateSchema,
  'poll:vote': pollVoteSchema,
  'poll:close': z.strictObject({ pollId: id }),
  'poll:share': z.strictObject({ pollId: id }),
  'class:settings': classSettingsUpdateSchema,
  // Moderation is for the class's teachers and acts on students only (teachers: `forbidden`).
  /** Pauses the student's mic; they cannot resume it until allowed (or students may unmute). */
  'moderation:mute': z.strictObject({ peerId: id }),
  'moderation:muteAll': z.strictObject({}),
  'moderation:allowUnmute': z.strictObject({ peerId: id }),
  'moderation:askUnmute': z.strictObject({ peerId: id }),
  'moderation:stopCamera': z.strictObject({ peerId: id }),
  /** Out for the rest of this session (until `class:end`); a guest's token stops working. */
  'moderation:kick': z.strictObject({ peerId: id }),
  /** Co-teachers; a class keeps at least one teacher (`conflict`). */
  'moderation:setRole': z.strictObject({ userId: id, role: classMemberRoleSchema }),
  'waiting:admit': z.strictObject({ userId: id }),
  'waiting:admitAll': z.strictObject({}),
  'waiting:deny': z.strictObject({ userId: id }),
  /** Breakouts: teachers; `breakout:move` also a student choosing their own room (choose). */
  'breakout:open': breakoutOpenSchema,
  'breakout:move': breakoutMoveSchema,
  'breakout:extend': breakoutExtendSchema,
  'breakout:closeAll': breakoutCloseSchema,
  'breakout:speakToAll:start': breakoutSpeakSchema,
  'breakout:speakToAll:stop': breakoutSpeakSchema,
  'breakout:messageAll': breakoutMessageSchema,
  /** A fresh access (or guest) token for this socket, sent before the current one expires. */
  'session:refresh': z.strictObject({ token: z.string().min(1).max(4096) }),
  'stage:present': stageEvents.present,
  'stage:view': stageEvents.view,
  'stage:allowPresenter': stageEvents.allowPresenter,
  'stage:get': stageEvents.get,
  ...classRecordingEvents,
  /** The tiles this client shows (grid page, pinned stage): their video flows beyond last-N. */
  'video:visible': videoVisibleSchema,
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
  /** The last chat messages the caller may see, oldest first. */
  chat: ChatMessage[];
  settings: ClassSettings;
  /** Open polls, and closed ones whose results were shared. */
  polls: PollInfo[];
  /** Teachers: results of every listed poll; students: of shared ones. */
  pollResults: PollResults[];
  /** Teachers: who waits to be admitted; [] for students. */
  waiting: WaitingEntry[];
}

/** Per-peer caps the server enforces with `limit_exceeded`. */
export const peerLimits = {
  transportsPerDirection: 2,
  producersPerSource: 1,
  consumers: 100,
} as const;

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
  'media:capabilities': { routerRtpCapabilities: Record<string, unknown> };
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
  'hand:lower': null;
  'hand:lowerAll': null;
  'chat:send': { message: ChatMessage };
  'chat:delete': null;
  'poll:create': { poll: PollInfo };
  'poll:vote': null;
  'poll:close': null;
  'poll:share': null;
  'class:settings': { settings: ClassSettings };
  'moderation:mute': null;
  'moderation:muteAll': null;
  'moderation:allowUnmute': null;
  'moderation:askUnmute': null;
  'moderation:stopCamera': null;
  'moderation:kick': null;
  'moderation:setRole': null;
  'waiting:admit': null;
  'waiting:admitAll': null;
  'waiting:deny': null;
  'breakout:open': BreakoutState;
  'breakout:move': null;
  'breakout:extend': { endsAt: number };
  'breakout:closeAll': null;
  'breakout:speakToAll:start': null;
  'breakout:speakToAll:stop': null;
  'breakout:messageAll': null;
  'session:refresh': { expiresAt: string };
  'stage:present': StageState;
  'stage:view': null;
  'stage:allowPresenter': StageState;
  'stage:get': StageState;
  'recording:start': ClassRecordingStatus;
  'recording:stop': ClassRecordingStatus;
  'video:visible': null;
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
  /** Messages to `teachers` reach the teachers and their sender only. */
  'chat:message': (m: ChatMessage) => void;
  'chat:deleted': (e: { messageId: string }) => void;
  'class:settings': (s: ClassSettings) => void;
  /**
   * A poll's current state, as the receiver may see it (students: no right answers before it
   * is closed and shared). Sent again when it is shared: clients replace the poll by id.
   */
  'poll:opened': (p: PollInfo) => void;
  'poll:closed': (p: PollInfo) => void;
  /** Live to teachers; to everyone once shared. */
  'poll:results': (r: PollResults) => void;
  /** To the student a teacher acted on. */
  'moderation:notice': (n: ModerationNotice) => void;
  /** Teachers: the waiting list changed. */
  'waiting:updated': (e: { waiting: WaitingEntry[] }) => void;
  /** The waiting socket may send `class:join` again. */
  'waiting:admitted': (e: Record<string, never>) => void;
  /** The waiting socket was turned away. */
  'waiting:denied': (e: Record<string, never>) => void;
  /** What is on stage changed, or the presenter's board view moved. */
  'stage:updated': (s: StageState) => void;
  /** To the whole class whenever breakouts open, change or close (null: closed). */
  'breakout:state': (s: BreakoutState | null) => void;
  /** To a participant moved to another room: close media, set it up again for this router. */
  'breakout:moved': (e: BreakoutMoved) => void;
  /** To everyone in breakouts shortly before the end. */
  'breakout:warning': (e: { secondsLeft: number }) => void;
  /** The teacher's text to every room. */
  'breakout:message': (e: { text: string; from: string; sentAt: string }) => void;
  /** The class is being recorded, or stopped being; also sent to each joiner while it is. */
  'recording:status': (s: ClassRecordingStatus) => void;
  /** Whose camera video this client receives now (last-N); the others' tiles show an avatar. */
  'video:selection': (s: VideoSelection) => void;
  /** To a publisher: the simulcast layers anyone watches of its camera (dynacast). */
  'video:layers': (l: VideoLayersWanted) => void;
}

export type ClientEvents = {
  [E in ClientEventName]: (
    payload: ClientEventPayload<E>,
    ack: (result: Ack<ClientEventResults[E]>) => void,
  ) => void;
};
