import { createSocket } from 'node:dgram';
import type { Peer } from './Peer.js';

export interface LevelMicrophone {
  producerId: string;
  /** Stops sending and closes its socket (the producer stays until closed). */
  stop(): void;
}

/**
 * A microphone for tests: Opus-labelled RTP every 20 ms carrying the ssrc-audio-level header
 * extension, which is all mediasoup's speaker observer listens to. `level()` is read for each
 * packet: 0 is the loudest, 127 silence. The payload is not real Opus: the SFU forwards it as
 * it is and nobody decodes it.
 */
export async function startLevelMicrophone(
  peer: Peer,
  ssrc: number,
  level: () => number,
): Promise<LevelMicrophone> {
  const t = await peer.createPlainProducerTransport();
  const { id } = await peer.produce({
    transportId: t.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc }],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 }],
    },
  });
  const socket = createSocket('udp4');
  let seq = 0;
  const timer = setInterval(() => {
    const packet = Buffer.alloc(12 + 8 + 20);
    packet[0] = 0x90; // version 2, header extension
    packet[1] = 100;
    packet.writeUInt16BE(seq++ & 0xffff, 2);
    packet.writeUInt32BE((seq * 960) >>> 0, 4);
    packet.writeUInt32BE(ssrc, 8);
    packet.writeUInt16BE(0xbede, 12); // one-byte extensions, 1 word
    packet.writeUInt16BE(1, 14);
    packet[16] = 0x10; // id 1, length 1
    const now = Math.max(0, Math.min(127, Math.round(level())));
    packet[17] = (now < 127 ? 0x80 : 0) | now; // voice activity bit, level
    socket.send(packet, t.port, t.ip);
  }, 20);
  return {
    producerId: id,
    stop: () => {
      clearInterval(timer);
      socket.close();
    },
  };
}

/** Speech varies: a steady level reads as background noise to the observer. */
export function speechLevel(loudest: number): number {
  return Math.min(126, loudest + Math.floor(Math.random() * 60));
}
