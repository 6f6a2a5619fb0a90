import type { types } from 'mediasoup';

/** Container a track's segments and finished file use, by codec (copied, never re-encoded). */
export function trackContainer(mimeType: string): { segmentExt: 'mkv'; finalExt: 'webm' | 'mp4' } {
  // Matroska takes VP8, Opus and H.264 alike and a cut-off file stays readable; the finished
  // file is WebM (VP8/Opus) or MP4 (H.264) because browsers play those.
  return { segmentExt: 'mkv', finalExt: /h264/i.test(mimeType) ? 'mp4' : 'webm' };
}

/**
 * The SDP ffmpeg reads to receive one consumer's RTP on `port` (RTCP muxed on the same port:
 * ffmpeg's RTP demuxer recognises RTCP packet types among the RTP).
 */
export function consumerSdp(rtp: types.RtpParameters, kind: types.MediaKind, port: number): string {
  const codec = rtp.codecs[0];
  if (!codec) throw new Error('consumer has no codec');
  const [, name] = codec.mimeType.split('/');
  const channels = kind === 'audio' && codec.channels ? `/${codec.channels}` : '';
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=educloud-recording',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}

/**
 * What the recorder asks to receive: each codec of the router once, without RTX, feedback or
 * header extensions (ffmpeg answers none of them).
 */
export function recorderCapabilities(caps: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: (caps.codecs ?? [])
      .filter((c) => !/\/rtx$/i.test(c.mimeType))
      .map((c) => ({ ...c, rtcpFeedback: [] })),
    headerExtensions: [],
  };
}
