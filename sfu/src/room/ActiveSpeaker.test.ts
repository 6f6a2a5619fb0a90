/**
 * The active speaker on a real mediasoup worker: microphones are RTP packets sent from here with
 * the audio level header extension (what the speaker observer listens to). A muted microphone
 * is never the active speaker: muting the dominant one hands the place to whoever is still on.
 */
import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { start, type Peer, type Room, type Sfu } from '../index.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let sfu: Sfu;
let room: Room;
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];

beforeEach(async () => {
  sfu = await start({
    logger,
    registry: new Registry(),
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    activeSpeakerIntervalMs: 100,
  });
  room = await sfu.createRoom('class-1');
});

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.close();
  await sfu.close();
});

async function until(what: string, ok: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A microphone sending RTP every 20 ms with the ssrc-audio-level extension: speech-like levels
 * while `speaking()`, silence (127) otherwise. The payload is not real Opus: nobody decodes it.
 */
async function mic(peer: Peer, ssrc: number, speaking: () => boolean): Promise<string> {
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
  sockets.push(socket);
  let seq = 0;
  timers.push(
    setInterval(() => {
      const packet = Buffer.alloc(12 + 8 + 20);
      packet[0] = 0x90; // version 2, header extension
      packet[1] = 100;
      packet.writeUInt16BE(seq++ & 0xffff, 2);
      packet.writeUInt32BE((seq * 960) >>> 0, 4);
      packet.writeUInt32BE(ssrc, 8);
      packet.writeUInt16BE(0xbede, 12); // one-byte extensions, 1 word
      packet.writeUInt16BE(1, 14);
      packet[16] = 0x10; // id 1, length 1
      // Speech varies: a steady level reads as background noise to the observer.
      const level = speaking() ? 10 + Math.floor(Math.random() * 60) : 127;
      packet[17] = (level < 127 ? 0x80 : 0) | level; // voice activity bit, level
      socket.send(packet, t.port, t.ip);
    }, 20),
  );
  return id;
}

it('hands the active speaker on when the dominant microphone is muted', async () => {
  const speakers: string[] = [];
  room.on('activeSpeaker', (e) => speakers.push(e.peerId));
  const alice = room.join('alice');
  const bob = room.join('bob');
  // Alice speaks; bob's microphone is on but silent.
  const aliceMic = await mic(alice, 1111, () => true);
  await mic(bob, 2222, () => false);
  await until('alice is the active speaker', () => speakers.at(-1) === 'alice');
  // Alice mutes: a silent microphone cannot outdo her, but a muted one is out of the running.
  await alice.pauseProducer(aliceMic);
  await until('bob is the active speaker', () => speakers.at(-1) === 'bob');
  // Alice unmutes and speaks: she takes the place back from silent bob.
  await alice.resumeProducer(aliceMic);
  await until('alice is the active speaker again', () => speakers.at(-1) === 'alice');
  expect(speakers.slice(-3)).toEqual(['alice', 'bob', 'alice']);
});
