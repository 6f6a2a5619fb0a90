import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { rtpBridgeArgs, type AttachedReader, type IngestHandle } from '@educloud/rtmp-ingest';
import type { BroadcastHost, SignalingHandle } from '@educloud/signaling';

// Dynamic payload types of our own choosing: ffmpeg is told to use them, the producer expects them.
const VIDEO_PT = 102;
const AUDIO_PT = 111;
// How long ffmpeg may wait for the RTMP stream before giving up (the supervisor restarts it).
const READ_TIMEOUT_MS = 3000;

interface Bridge {
  host: BroadcastHost | null;
  reader: AttachedReader | null;
  closed: boolean;
  ready: Promise<void>;
}

// ffmpeg's -ssrc is a signed 32-bit option: stay below 2^31 so both sides read the same number.
function randomSsrc(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/**
 * H.264 is copied as OBS sends it (usually High profile) but announced as constrained baseline
 * 42e01f: the routers and Chromium accept that label, and Chromium decodes the High bitstream
 * behind it (measured; see docs). Audio is transcoded to Opus.
 */
export function bridgeRtpParameters(o: { videoSsrc: number; audioSsrc: number; cname: string }) {
  return {
    video: {
      codecs: [
        {
          mimeType: 'video/H264',
          payloadType: VIDEO_PT,
          clockRate: 90000,
          parameters: {
            'packetization-mode': 1,
            'profile-level-id': '42e01f',
            'level-asymmetry-allowed': 1,
          },
          rtcpFeedback: [],
        },
      ],
      encodings: [{ ssrc: o.videoSsrc }],
      rtcp: { cname: o.cname, reducedSize: false },
    },
    audio: {
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: AUDIO_PT,
          clockRate: 48000,
          channels: 2,
          parameters: { 'sprop-stereo': 1 },
          rtcpFeedback: [],
        },
      ],
      encodings: [{ ssrc: o.audioSsrc }],
      rtcp: { cname: o.cname, reducedSize: false },
    },
  };
}

/**
 * Puts each live OBS broadcast into the class's live room as WebRTC: a server-side participant
 * with one video and one audio producer, fed over RTP by an ffmpeg that the ingest supervises.
 */
export class WebRtcBridges {
  private readonly bridges = new Map<string, Bridge>();

  constructor(
    private readonly deps: {
      ingest: IngestHandle;
      signaling: () => SignalingHandle;
      logger: Logger;
    },
  ) {}

  start(classId: string): void {
    if (this.bridges.has(classId)) return;
    const bridge: Bridge = { host: null, reader: null, closed: false, ready: Promise.resolve() };
    this.bridges.set(classId, bridge);
    bridge.ready = this.open(classId, bridge).catch((err: unknown) => {
      this.deps.logger.error({ err, classId }, 'webrtc bridge could not start');
      void this.stop(classId, bridge);
    });
  }

  private async open(classId: string, bridge: Bridge): Promise<void> {
    const log = this.deps.logger.child({ classId });
    const host = await this.deps.signaling().live.hostBroadcast(classId, 'OBS broadcast');
    bridge.host = host;
    if (bridge.closed) return host.close();
    const cname = randomBytes(8).toString('hex');
    const videoSsrc = randomSsrc();
    const audioSsrc = randomSsrc();
    const params = bridgeRtpParameters({ videoSsrc, audioSsrc, cname });
    const video = await host.addRtpInput('video', params.video);
    const audio = await host.addRtpInput('audio', params.audio);
    if (bridge.closed) return;
    const reader = this.deps.ingest.attachReader(classId, {
      name: 'webrtc-bridge',
      args: (inputUrl) =>
        rtpBridgeArgs({
          inputUrl,
          readTimeoutMs: READ_TIMEOUT_MS,
          cname,
          video: { ...video, payloadType: VIDEO_PT, ssrc: videoSsrc },
          audio: { ...audio, payloadType: AUDIO_PT, ssrc: audioSsrc },
        }),
    });
    if (!reader) {
      log.info('broadcast ended before the webrtc bridge was ready');
      await this.stop(classId, bridge);
      return;
    }
    bridge.reader = reader;
    log.info(
      { videoProducerId: video.producerId, audioProducerId: audio.producerId },
      'webrtc bridge started',
    );
  }

  async stop(classId: string, only?: Bridge): Promise<void> {
    const bridge = this.bridges.get(classId);
    if (!bridge || (only && bridge !== only)) return;
    this.bridges.delete(classId);
    bridge.closed = true;
    await bridge.ready;
    await bridge.reader?.stop();
    bridge.host?.close();
    this.deps.logger.info({ classId }, 'webrtc bridge stopped');
  }

  async close(): Promise<void> {
    await Promise.all([...this.bridges.keys()].map((id) => this.stop(id)));
  }
}
