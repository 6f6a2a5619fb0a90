import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MediaSource } from '@educloud/protocol';
import type { Peer } from '../room/Peer.js';
import type { Room } from '../room/Room.js';
import type { ProducerInfo } from '../types.js';
import { KeyFrameWatch } from './key-frame-watch.js';
import { consumerSdp, recorderCapabilities, trackContainer } from './sdp.js';
import { StartGate } from './start-gate.js';
import { TrackWriter } from './track-writer.js';
import { freeRtpPortPair } from './udp-ports.js';

/** The part of a Room the recorder uses (its public API only). */
export type RecordableRoom = Pick<
  Room,
  'rtpCapabilities' | 'join' | 'leave' | 'listProducers' | 'on' | 'off'
>;
type RecorderPeer = Pick<
  Peer,
  | 'createPlainTransport'
  | 'connectPlainTransport'
  | 'consume'
  | 'resumeConsumer'
  | 'requestKeyFrame'
  | 'firstKeyFrameSent'
  | 'getTransportStats'
  | 'closeTransport'
  | 'hasLeft'
>;

export interface RecordedTrackInfo {
  trackId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  /**
   * Epoch ms of the file's first media: the consumer's resume for audio, its first key frame
   * for video (a video file begins at one; the timeline places the file from here).
   */
  startedAt: number;
  endedAt: number | null;
  /** Segments directory relative to the recording directory. */
  segmentsDir: string;
  finalExt: 'webm' | 'mp4';
  /**
   * The replayable file (`<trackId>.<finalExt>` in the recording directory) was written while
   * recording and closed cleanly; otherwise it has to be joined from the segments.
   */
  replayWritten: boolean;
}

export interface RoomRecorderOptions {
  room: RecordableRoom;
  /** The recording's directory; tracks go to `tracks/<trackId>/`. */
  dir: string;
  ffmpegPath: string;
  logger: Logger;
  segmentSeconds?: number;
  /**
   * Tracks already in `dir` from an earlier recorder of the same recording (one whose room was
   * lost): this one numbers its tracks after them.
   */
  tracksBefore?: number;
  /** Video key frames are asked for this often, so every segment can start on one. */
  keyFrameIntervalMs?: number;
  /** Producers' scores are looked at this often: a drop (packet loss) asks for a key frame. */
  lossCheckMs?: number;
  /** A track whose ffmpeg died is started again (as a new track) after this long. */
  restartDelayMs?: number;
  /** Track ffmpegs started at once (default: the cores, at least 2); microphones go first. */
  startConcurrency?: number;
  onTrackStarted?: (t: RecordedTrackInfo) => void;
  onTrackEnded?: (t: RecordedTrackInfo) => void;
  onActiveSpeaker?: (peerId: string) => void;
}

interface Track {
  info: RecordedTrackInfo;
  transportId: string;
  consumerId: string;
  writer: TrackWriter;
  keyFrames: KeyFrameWatch;
  /** Tells onTrackStarted once: at the first key frame for video, at the latest at its end. */
  announceStart: () => void;
}

/**
 * Records every producer of a room, each through its own PlainTransport consumer into an ffmpeg
 * that copies the RTP into segments. Producers that appear later are picked up, ones that go
 * away end their track; the recorder is a peer of the room that only consumes.
 */
export class RoomRecorder {
  readonly peerId = `recorder:${randomBytes(6).toString('hex')}`;
  private readonly tracks = new Map<string, Track>();
  private readonly pending = new Set<Promise<void>>();
  private readonly finished: RecordedTrackInfo[] = [];
  private seq = 0;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;
  private readonly lossTimer: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly segmentSeconds: number;
  private readonly starts: StartGate;

  private readonly onProducerAdded = (p: ProducerInfo) => this.add(p);
  private readonly onConsumerClosed = (e: { peerId: string; producerId: string }) => {
    if (e.peerId === this.peerId) void this.end(e.producerId);
  };
  private readonly onProducerClosed = (e: { producerId: string }) => void this.end(e.producerId);
  private readonly onSpeaker = (e: { peerId: string }) => this.o.onActiveSpeaker?.(e.peerId);
  private readonly onRoomClosed = () => void this.stop();
  private readonly onPeersLost = (e: { peerIds: string[] }) => {
    if (e.peerIds.includes(this.peerId)) void this.rejoin();
  };
  private peer!: RecorderPeer;

  private constructor(private readonly o: RoomRecorderOptions) {
    this.log = o.logger.child({ recorder: this.peerId });
    this.seq = o.tracksBefore ?? 0;
    this.segmentSeconds = o.segmentSeconds ?? 4;
    this.starts = new StartGate(o.startConcurrency ?? Math.max(2, availableParallelism()));
    const interval = o.keyFrameIntervalMs ?? this.segmentSeconds * 1000;
    this.timer = setInterval(() => this.requestKeyFrames(), interval);
    this.timer.unref();
    this.lossTimer = setInterval(() => void this.checkLoss(), o.lossCheckMs ?? 1000);
    this.lossTimer.unref();
  }

  /** Key frames asked for because a producer's score fell (for tests and logs). */
  keyFramesAfterLoss = 0;

  static start(o: RoomRecorderOptions): RoomRecorder {
    const r = new RoomRecorder(o);
    r.peer = o.room.join(r.peerId, { takesAllCameras: true });
    o.room.on('producerAdded', r.onProducerAdded);
    o.room.on('producerClosed', r.onProducerClosed);
    o.room.on('consumerClosed', r.onConsumerClosed);
    o.room.on('activeSpeaker', r.onSpeaker);
    o.room.on('close', r.onRoomClosed);
    o.room.on('peersLost', r.onPeersLost);
    for (const p of o.room.listProducers(r.peerId)) r.add(p);
    return r;
  }

  /** Tracks begun so far, counting those of `tracksBefore`. */
  get tracksBegun(): number {
    return this.seq;
  }

  /** Tracks being written now. */
  get activeTracks(): RecordedTrackInfo[] {
    return [...this.tracks.values()].map((t) => t.info);
  }

  /** Waits for tracks still being set up (tests, and stop). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Ends every track (ffmpeg closes its last segment) and leaves the room. */
  async stop(): Promise<RecordedTrackInfo[]> {
    if (!this.stopped) {
      this.stopped = true;
      clearInterval(this.timer);
      clearInterval(this.lossTimer);
      const { room } = this.o;
      room.off('producerAdded', this.onProducerAdded);
      room.off('producerClosed', this.onProducerClosed);
      room.off('consumerClosed', this.onConsumerClosed);
      room.off('activeSpeaker', this.onSpeaker);
      room.off('close', this.onRoomClosed);
      room.off('peersLost', this.onPeersLost);
      await this.settled();
      await Promise.all([...this.tracks.keys()].map((id) => this.end(id)));
      room.leave(this.peerId);
    }
    await this.settled();
    return [...this.finished].sort((a, b) => a.startedAt - b.startedAt);
  }

  private add(p: ProducerInfo): void {
    if (this.stopped || p.peerId === this.peerId || this.tracks.has(p.id)) return;
    const task = this.open(p).catch((err: unknown) => {
      this.log.error({ err, producerId: p.id }, 'could not record a producer');
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private async open(p: ProducerInfo): Promise<void> {
    const { room } = this.o;
    const peer = this.peer;
    const trackId = `t${++this.seq}-${p.source}`;
    const segmentsDir = join('tracks', trackId);
    const port = await freeRtpPortPair();
    const transport = await peer.createPlainTransport({
      comedia: false,
      rtcpMux: true,
      listenIp: '127.0.0.1',
    });
    try {
      const consumer = await peer.consume({
        transportId: transport.id,
        producerId: p.id,
        rtpCapabilities: recorderCapabilities(room.rtpCapabilities),
      });
      const codec = consumer.rtpParameters.codecs[0]!;
      const finalExt = trackContainer(codec.mimeType).finalExt;
      // Sound first: a gap in the voice is worse than a late picture, which waits for a key
      // frame anyway. Then the shared screen, then cameras.
      const urgency = p.kind === 'audio' ? 0 : p.source === 'camera' ? 2 : 1;
      const writer = await this.starts.run(urgency, () =>
        TrackWriter.start(
          {
            ffmpegPath: this.o.ffmpegPath,
            dir: join(this.o.dir, segmentsDir),
            sdp: consumerSdp(consumer.rtpParameters, consumer.kind, port),
            port,
            segmentSeconds: this.segmentSeconds,
            logger: this.log.child({ trackId }),
            replay: { path: join(this.o.dir, `${trackId}.${finalExt}`), format: finalExt },
          },
          (_code, expected) => {
            if (!expected) void this.restart(p, trackId);
          },
        ),
      );
      await peer.connectPlainTransport(transport.id, { ip: '127.0.0.1', port });
      if (this.stopped) {
        await writer.stop();
        peer.closeTransport(transport.id);
        return;
      }
      const info: RecordedTrackInfo = {
        trackId,
        producerId: p.id,
        peerId: p.peerId,
        kind: p.kind,
        source: p.source,
        startedAt: Date.now(),
        endedAt: null,
        segmentsDir,
        finalExt,
        replayWritten: false,
      };
      let announced = false;
      const announceStart = () => {
        if (announced) return;
        announced = true;
        this.o.onTrackStarted?.(info);
      };
      this.tracks.set(p.id, {
        info,
        transportId: transport.id,
        consumerId: consumer.id,
        writer,
        keyFrames: new KeyFrameWatch(),
        announceStart,
      });
      const keyFrame = p.kind === 'video' ? peer.firstKeyFrameSent(consumer.id) : null;
      await peer.resumeConsumer(consumer.id);
      if (p.kind === 'video') await peer.requestKeyFrame(consumer.id).catch(() => {});
      this.log.info({ trackId, producerId: p.id, source: p.source }, 'track recording');
      if (!keyFrame) announceStart();
      else {
        void keyFrame.then((at) => {
          if (at !== null && !announced) info.startedAt = at;
          announceStart();
        });
      }
    } catch (err) {
      if (!peer.hasLeft) {
        try {
          peer.closeTransport(transport.id);
        } catch {
          // Already closed with its producer.
        }
      }
      throw err;
    }
  }

  /**
   * The recorder's router went with its worker while the room lives on (its home moved): the
   * tracks end where the media stopped, and every producer still there starts a new track.
   */
  private async rejoin(): Promise<void> {
    if (this.stopped) return;
    this.log.warn({ tracks: this.tracks.size }, 'recorder lost its router: recording afresh');
    await Promise.all([...this.tracks.keys()].map((id) => this.end(id)));
    if (this.stopped) return;
    this.peer = this.o.room.join(this.peerId, { takesAllCameras: true });
    for (const p of this.o.room.listProducers(this.peerId)) this.add(p);
  }

  /** ffmpeg died under a live producer (crash, no key frame to start from): start afresh. */
  private async restart(p: ProducerInfo, trackId: string): Promise<void> {
    const current = this.tracks.get(p.id);
    if (!current || current.info.trackId !== trackId) return;
    await this.end(p.id);
    if (this.stopped) return;
    await new Promise((r) => setTimeout(r, this.o.restartDelayMs ?? 2000));
    const still = this.o.room.listProducers(this.peerId).find((x) => x.id === p.id);
    if (still) this.add(still);
  }

  private async end(producerId: string): Promise<void> {
    const t = this.tracks.get(producerId);
    if (!t) return;
    this.tracks.delete(producerId);
    t.info.replayWritten = await t.writer.stop();
    try {
      this.peer.closeTransport(t.transportId);
    } catch {
      // The transport went with the producer.
    }
    t.info.endedAt = Date.now();
    // Ended before its first key frame: it starts (empty) where it was resumed.
    t.announceStart();
    this.finished.push(t.info);
    this.o.onTrackEnded?.(t.info);
  }

  /** A video producer whose score fell lost packets: a key frame makes the file whole again. */
  private async checkLoss(): Promise<void> {
    for (const t of [...this.tracks.values()]) {
      if (t.info.kind !== 'video' || this.stopped) continue;
      const stats = await this.peer.getTransportStats(t.transportId).catch(() => null);
      const score = stats?.consumers.find((c) => c.id === t.consumerId)?.producerScore;
      if (!t.keyFrames.afterScore(score)) continue;
      this.keyFramesAfterLoss++;
      this.log.debug({ trackId: t.info.trackId, score }, 'packet loss: key frame requested');
      await this.peer.requestKeyFrame(t.consumerId).catch(() => {});
    }
  }

  private requestKeyFrames(): void {
    for (const t of this.tracks.values()) {
      if (t.info.kind !== 'video') continue;
      void this.peer.requestKeyFrame(t.consumerId).catch(() => {});
    }
  }
}
