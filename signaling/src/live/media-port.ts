import type {
  ConsumeResult,
  MediaKind,
  MediaSource,
  ProducerInfo,
  TransportInfo,
  TransportStats,
} from '@educloud/protocol';

/**
 * What the live class needs from the media plane, one room per class. Signaling stays free of
 * mediasoup; the composition root adapts the SFU to this. Every call names the peer so the
 * media side can refuse ids that belong to someone else.
 */
export interface MediaRoom {
  readonly rtpCapabilities: Record<string, unknown>;
  createWebRtcTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo>;
  connectTransport(peerId: string, transportId: string, dtlsParameters: unknown): Promise<void>;
  restartIce(peerId: string, transportId: string): Promise<Record<string, unknown>>;
  transportStats(peerId: string, transportId: string): Promise<TransportStats>;
  produce(
    peerId: string,
    transportId: string,
    p: { kind: MediaKind; rtpParameters: unknown; source: MediaSource },
  ): Promise<string>;
  setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<void>;
  closeProducer(peerId: string, producerId: string): Promise<void>;
  consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: unknown,
  ): Promise<ConsumeResult>;
  resumeConsumer(peerId: string, consumerId: string): Promise<void>;
  setPreferredLayers(
    peerId: string,
    consumerId: string,
    spatialLayer: number,
    temporalLayer?: number,
  ): Promise<void>;
  /**
   * A plain RTP entry (the RTMP bridge): a producer fed by whoever sends RTP to the returned
   * address first. RTCP goes to `rtcpPort`.
   */
  createRtpInput(
    peerId: string,
    p: { kind: MediaKind; rtpParameters: unknown; source: MediaSource },
  ): Promise<{ producerId: string; ip: string; port: number; rtcpPort: number | undefined }>;
  /** Last-N: a teacher's camera reaches everyone whatever the speakers. Forgotten on removePeer. */
  setPinned(peerId: string, pinned: boolean): void;
  /** Last-N: the tiles the peer has on screen; their cameras reach it too. */
  setVisible(peerId: string, peerIds: string[]): void;
  /** Closes everything the peer holds in the room. */
  removePeer(peerId: string): void;
  close(): void;
  /** A consumer ended on the media side (its producer went away). */
  onConsumerClosed(listener: (peerId: string, consumerId: string) => void): void;
  /** A producer ended on the media side (its transport closed). */
  onProducerClosed(listener: (peerId: string, producerId: string) => void): void;
  onActiveSpeaker(listener: (peerId: string | null) => void): void;
  /** Whose camera video `peerId` receives now (last-N chose again). */
  onVideoSelection(listener: (peerId: string, peerIds: string[]) => void): void;
  /** Dynacast: tell publisher `peerId` the top layer anyone watches of its camera (null: none). */
  onVideoLayers(
    listener: (peerId: string, producerId: string, maxSpatialLayer: number | null) => void,
  ): void;
  /** A producer of a participant on another node, piped into this room (several nodes). */
  onRemoteProducer?(listener: (info: ProducerInfo) => void): void;
  /** Such a producer paused or resumed on its node (whose clients were told by that node). */
  onRemoteProducerPaused?(listener: (producerId: string, paused: boolean) => void): void;
  /** The room's media is gone (its worker died); clients must set up media again. */
  onLost(listener: () => void): void;
  /**
   * Only these peers' media is gone (the room spread over workers and one of them died): they
   * set up media again; the room and everyone else's media stay.
   */
  onPeersLost?(listener: (peerIds: string[]) => void): void;
}

/** A main-room producer forwarded into a breakout room, under an id of its own there. */
export interface PipedProducer {
  roomId: string;
  producerId: string;
}

/**
 * The media rooms of live classes: a class is one class with several rooms, its main room and,
 * while breakouts run, one room per breakout (each with its own router).
 */
export interface MediaRooms {
  open(classId: string): Promise<MediaRoom>;
  /** What every room's router accepts (one codec list for the whole server). */
  capabilities(): Promise<Record<string, unknown>>;
  openBreakout(classId: string, breakoutId: string): Promise<MediaRoom>;
  /** Closes every breakout room of the class and what was piped into them. */
  closeBreakouts(classId: string): void;
  /** Forwards a main-room producer into every open breakout of the class. */
  pipeToBreakouts(classId: string, producerId: string): Promise<PipedProducer[]>;
  /** Stops forwarding it: its copies close in every breakout. */
  unpipeFromBreakouts(classId: string, producerId: string): void;
}
