import { describe, expect, it } from 'vitest';
import { rtpBridgeArgs } from './rtp-bridge-args.js';

describe('rtpBridgeArgs', () => {
  const args = rtpBridgeArgs({
    inputUrl: 'rtmp://127.0.0.1:1935/live/key',
    readTimeoutMs: 3000,
    cname: 'c1',
    video: { ip: '127.0.0.1', port: 4000, rtcpPort: 4001, payloadType: 102, ssrc: 3_235_129_261 },
    audio: { ip: '127.0.0.1', port: 4002, rtcpPort: undefined, payloadType: 111, ssrc: 7 },
  });

  it('copies video and sends Opus audio to the given ports with separate RTCP', () => {
    expect(args).toContain('rtp://127.0.0.1:4000?pkt_size=1200&rtcpport=4001');
    expect(args).toContain('rtp://127.0.0.1:4002?pkt_size=1200');
    expect(args.join(' ')).toMatch(/-c:v copy -bsf:v h264_mp4toannexb -payload_type 102/);
    expect(args.join(' ')).toMatch(/-c:a libopus .*-payload_type 111/);
    expect(args.filter((a) => a === 'c1')).toHaveLength(2);
  });

  it('passes SSRCs above 2^31 as the signed value ffmpeg accepts', () => {
    const ssrcs = args.flatMap((a, i) => (a === '-ssrc' ? [Number(args[i + 1])] : []));
    expect(ssrcs).toEqual([3_235_129_261 - 2 ** 32, 7]);
    for (const s of ssrcs) expect(s >>> 0).toBeGreaterThan(0);
  });
});
