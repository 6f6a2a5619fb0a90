import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaSource } from '@educloud/protocol';
import type { Room } from '../room/Room.js';
import { startLossyRelay } from './lossy-relay.js';

export interface SyntheticProducer {
  producerId: string;
  peerId: string;
  /** Resolves once the clip has been sent (with `once`; never while it loops). */
  sent: Promise<void>;
  /** Stops the ffmpeg feeding it (the producer stays, silent, until closed). */
  stop(): Promise<void>;
}

const PT = { video: 101, audio: 100 } as const;

/**
 * A producer fed by ffmpeg over plain RTP: a VP8 test pattern or an Opus tone, encoded live.
 * For tests and benchmarks that need real media without a browser.
 */
export async function startSyntheticProducer(
  room: Pick<Room, 'join'>,
  o: {
    peerId: string;
    kind: 'audio' | 'video';
    source?: MediaSource;
    ffmpegPath?: string;
    /** Seconds between key frames (video); a huge value means "none after the first". */
    keyIntSeconds?: number;
    /** A lossy link: one RTP packet in this many is dropped before the SFU. */
    dropEvery?: number;
    /** Length of the clip (video): it starts with a key frame, each loop again. Default 20 s. */
    clipSeconds?: number;
    /** Send the clip once, not in a loop (`sent` resolves when it has gone). */
    once?: boolean;
    /** Send this many times faster than real time (default 1). */
    speed?: number;
    /** Media starts flowing only once this settles (a consumer ready for the first key frame). */
    sendAfter?: Promise<unknown>;
    /** Video: a solid picture of this colour (an ffmpeg colour name), not the test pattern. */
    colour?: string;
  },
): Promise<SyntheticProducer> {
  const peer = room.join(o.peerId);
  const t = await peer.createPlainProducerTransport({ listenIp: '127.0.0.1' });
  const ssrc = 10_000_000 + Math.floor(Math.random() * 1_000_000_000);
  const rtpParameters =
    o.kind === 'video'
      ? {
          codecs: [{ mimeType: 'video/VP8', payloadType: PT.video, clockRate: 90000 }],
          encodings: [{ ssrc }],
        }
      : {
          codecs: [
            { mimeType: 'audio/opus', payloadType: PT.audio, clockRate: 48000, channels: 2 },
          ],
          encodings: [{ ssrc }],
        };
  const { id } = await peer.produce({
    transportId: t.id,
    kind: o.kind,
    rtpParameters,
    source: o.source ?? (o.kind === 'video' ? 'camera' : 'mic'),
  });
  const relay = o.dropEvery ? await startLossyRelay(t, o.dropEvery) : null;
  const to = relay ? { ip: '127.0.0.1', port: relay.port } : t;
  const clip = syntheticClip(
    o.ffmpegPath ?? 'ffmpeg',
    o.kind,
    o.keyIntSeconds ?? 2,
    o.clipSeconds ?? 20,
    o.colour,
  );
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...(o.speed && o.speed !== 1 ? ['-readrate', String(o.speed)] : ['-re']),
    ...(o.once ? [] : ['-stream_loop', '-1']),
    ...['-i', clip, '-c', 'copy', ...(o.kind === 'video' ? ['-an'] : ['-vn'])],
    ...['-ssrc', String(ssrc), '-payload_type', String(PT[o.kind])],
    ...['-f', 'rtp', `rtp://${to.ip}:${to.port}?rtcpport=${t.rtcpPort}&pkt_size=1200`],
  ];
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
    });
  let stopped = false;
  let child: ChildProcess | null = null;
  const sent = (async () => {
    const go = await Promise.resolve(o.sendAfter).then(
      () => true,
      () => false,
    );
    if (!go || stopped) return;
    child = spawn(o.ffmpegPath ?? 'ffmpeg', args, { stdio: 'ignore' });
    await exited(child);
  })();
  return {
    producerId: id,
    peerId: o.peerId,
    sent,
    stop: async () => {
      stopped = true;
      if (child) {
        child.kill('SIGKILL');
        await exited(child);
      }
      await relay?.close();
    },
  };
}

/**
 * A clip (20 s unless told) encoded once and cached in the temp dir: sending it copied
 * (`-re -c copy`) costs almost no CPU, so many synthetic participants fit on a small machine.
 */
function syntheticClip(
  ffmpegPath: string,
  kind: 'audio' | 'video',
  keyIntSeconds: number,
  seconds: number,
  colour?: string,
) {
  if (colour !== undefined && !/^[a-z]+$/.test(colour)) throw new Error(`bad colour ${colour}`);
  const dir = join(tmpdir(), 'educloud-synthetic');
  const length = seconds === 20 ? '' : `-${seconds}s`;
  const look = colour ? `-${colour}` : '';
  const file = join(
    dir,
    kind === 'video'
      ? `vp8-320x240-k${keyIntSeconds}${length}${look}.webm`
      : `opus-tone${length}.webm`,
  );
  const picture = colour
    ? `color=c=${colour}:size=320x240:rate=15`
    : 'testsrc=size=320x240:rate=15';
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const args =
    kind === 'video'
      ? [
          ...['-f', 'lavfi', '-i', picture, '-t', String(seconds)],
          ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'],
          ...[
            '-g',
            String(Math.round(keyIntSeconds * 15)),
            '-keyint_min',
            String(Math.round(keyIntSeconds * 15)),
          ],
        ]
      : [
          ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
          ...['-c:a', 'libopus', '-b:a', '32k', '-ac', '2'],
        ];
  const part = `${file}.${process.pid}.part`;
  const r = spawnSync(ffmpegPath, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...args,
    '-f',
    'webm',
    part,
  ]);
  if (r.status !== 0) throw new Error(`could not encode a synthetic ${kind} clip`);
  renameSync(part, file);
  return file;
}
