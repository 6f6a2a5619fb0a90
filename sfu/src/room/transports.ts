import type { types } from 'mediasoup';
import type { PlainTransportOptions, WebRtcTransportOptions } from '../types.js';
import type { RoomContext } from './RoomContext.js';

export interface TransportAppData extends types.AppData {
  peerId: string;
  direction?: 'send' | 'recv';
}

/** A WebRTC transport on the peer's router of the room, through its worker's WebRtcServer (one port). */
export async function openWebRtcTransport(
  ctx: RoomContext,
  peerId: string,
  options: WebRtcTransportOptions,
): Promise<types.WebRtcTransport> {
  await ctx.place();
  const transport = await ctx.router.createWebRtcTransport({
    webRtcServer: ctx.poolWorker.webRtcServer,
    enableUdp: true,
    enableTcp: ctx.options.enableTcp,
    preferUdp: true,
    initialAvailableOutgoingBitrate: ctx.options.initialAvailableOutgoingBitrate,
    appData: { peerId, direction: options.direction } satisfies TransportAppData,
  });
  transport.on('dtlsstatechange', (dtlsState) => {
    if (dtlsState === 'failed')
      ctx.logger.warn({ peerId, transportId: transport.id }, 'DTLS failed');
  });
  return transport;
}

/**
 * A plain RTP transport. With ffmpeg keep `rtcpMux: false` and send RTCP to `rtcpPort`: with
 * muxing and comedia, ffmpeg's first packet is RTCP from another port and the transport locks
 * onto it.
 */
export async function openPlainTransport(
  ctx: RoomContext,
  peerId: string,
  options: PlainTransportOptions,
): Promise<types.PlainTransport> {
  await ctx.place();
  return ctx.router.createPlainTransport({
    listenInfo: {
      protocol: 'udp',
      ip: options.listenIp ?? ctx.options.plainListenIp,
      portRange: { min: ctx.options.rtcMinPort, max: ctx.options.rtcMaxPort },
    },
    rtcpMux: options.rtcpMux ?? true,
    comedia: options.comedia ?? false,
    appData: { peerId } satisfies TransportAppData,
  });
}
