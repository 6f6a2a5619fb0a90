export interface RtpOutput {
  ip: string;
  port: number;
  /** RTCP goes to its own port: with rtcp-mux, ffmpeg's first RTCP packet misleads comedia. */
  rtcpPort: number | undefined;
  payloadType: number;
  ssrc: number;
}

export interface RtpBridgeArgsInput {
  inputUrl: string;
  readTimeoutMs: number;
  video: RtpOutput;
  audio: RtpOutput;
  /** Shared by both outputs so receivers can lip-sync them. */
  cname: string;
  audioBitrateKbps?: number;
}

function rtpUrl(o: RtpOutput): string {
  const host = o.ip.includes(':') ? `[${o.ip}]` : o.ip;
  const query = new URLSearchParams({ pkt_size: '1200' });
  if (o.rtcpPort !== undefined) query.set('rtcpport', String(o.rtcpPort));
  return `rtp://${host}:${o.port}?${query.toString()}`;
}

function rtpOutput(o: RtpOutput, cname: string): string[] {
  return [
    '-payload_type',
    String(o.payloadType),
    '-ssrc',
    // ffmpeg reads the option as a signed 32-bit integer and sends its bits unchanged.
    String(o.ssrc | 0),
    '-cname',
    cname,
    '-f',
    'rtp',
    rtpUrl(o),
  ];
}

/**
 * ffmpeg arguments relaying a live RTMP stream into two RTP inputs of the SFU: H.264 copied
 * (no re-encode; the SFU signals it as a profile browsers accept), AAC turned into Opus.
 * FLV carries SPS/PPS out of band; h264_mp4toannexb puts them in front of every keyframe, which
 * a WebRTC decoder joining mid-stream needs.
 */
export function rtpBridgeArgs(p: RtpBridgeArgsInput): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    '-fflags',
    'nobuffer',
    '-flags',
    'low_delay',
    '-rw_timeout',
    String(p.readTimeoutMs * 1000),
    '-i',
    p.inputUrl,
    '-map',
    '0:v:0',
    '-c:v',
    'copy',
    '-bsf:v',
    'h264_mp4toannexb',
    ...rtpOutput(p.video, p.cname),
    '-map',
    '0:a:0',
    '-c:a',
    'libopus',
    '-application',
    'lowdelay',
    '-ar',
    '48000',
    '-ac',
    '2',
    '-b:a',
    `${p.audioBitrateKbps ?? 96}k`,
    ...rtpOutput(p.audio, p.cname),
  ];
}
