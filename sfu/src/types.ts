import type { types } from 'mediasoup';

import type { MediaSource } from '@educloud/protocol';

export { mediaSources, type MediaSource } from '@educloud/protocol';

export type MediaKind = types.MediaKind;
export type RtpParameters = types.RtpParameters;
export type RtpCapabilities = types.RtpCapabilities;
export type DtlsParameters = types.DtlsParameters;
export type IceParameters = types.IceParameters;
export type IceCandidate = types.IceCandidate;
export type ConsumerLayers = types.ConsumerLayers;
export type ConsumerScore = types.ConsumerScore;
export type ProducerScore = types.ProducerScore;

/** appData every producer carries, readable from mediasoup objects too. */
export interface ProducerAppData extends types.AppData {
  peerId: string;
  source: MediaSource;
}

/** What a client needs to build its side of a WebRTC transport (mediasoup-client). */
export interface WebRtcTransportInfo {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface WebRtcTransportOptions {
  /** Bookkeeping only: whether the client sends or receives on it. */
  direction?: 'send' | 'recv';
}

export interface PlainTransportOptions {
  /** Separate RTCP port. Keep false for ffmpeg (see PlainTransportInfo.rtcpPort). */
  rtcpMux?: boolean;
  /** Learn the remote address from the first packet instead of connectPlainTransport(). */
  comedia?: boolean;
  /** Defaults to the sfu's plainListenIp. */
  listenIp?: string;
}

/** Where to send RTP (and RTCP, to `rtcpPort` when rtcpMux is false). */
export interface PlainTransportInfo {
  id: string;
  ip: string;
  port: number;
  rtcpPort: number | undefined;
}

export interface PlainRemoteAddress {
  ip: string;
  port: number;
  rtcpPort?: number;
}

export interface ProduceRequest {
  transportId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  source: MediaSource;
  paused?: boolean;
}

export interface ConsumeRequest {
  transportId: string;
  producerId: string;
  /** The receiving client's capabilities (mediasoup-client `device.rtpCapabilities`). */
  rtpCapabilities: RtpCapabilities;
}

/** A producer as other peers learn about it. */
export interface ProducerInfo {
  id: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

/** What the consuming client needs for `transport.consume()`. The consumer starts paused. */
export interface ConsumerInfo {
  id: string;
  producerId: string;
  /** The producing peer. */
  peerId: string;
  source: MediaSource;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  type: types.ConsumerType;
  producerPaused: boolean;
}

/** A transport's numbers for a network-quality indicator. Bitrates are bits per second. */
export interface TransportStats {
  transportId: string;
  timestamp: number;
  iceState?: types.IceState;
  dtlsState?: types.DtlsState;
  /** 'udp' or 'tcp' once ICE selected a path. */
  protocol?: types.TransportProtocol;
  bytesReceived: number;
  bytesSent: number;
  recvBitrate: number;
  sendBitrate: number;
  availableOutgoingBitrate?: number;
  /** Fraction (0-1) of RTP lost towards us / towards the client, when known. */
  rtpPacketLossReceived?: number;
  rtpPacketLossSent?: number;
  /** Scores 0-10 of what is sent and received on the transport. */
  producers: { id: string; source: MediaSource; scores: number[] }[];
  consumers: { id: string; producerId: string; score: number; producerScore: number }[];
}
