import type { types as ms } from 'mediasoup-client';
import type { BreakoutMoved, JoinResult, PeerInfo } from '@educloud/protocol';
import { BreakoutStore } from '../breakouts/breakout-store.js';
import { ClassroomStore } from '../classroom/classroom-store.js';
import { JoinNews } from './join-news.js';
import { LiveMedia, type LocalSource, type RemoteTrack } from './live-media.js';
import { QualityPoller, type QualityReport } from './quality-poller.js';
import { canMove, type SessionStatus } from './session-status.js';
import type { JoinAhead } from './join-ahead.js';
import { LiveAckError, SignalingClient, type LiveSocket } from './signaling-client.js';
import { QualityStore } from './quality-store.js';
import { SpeakerStore } from './speaker-store.js';

export type { SessionStatus } from './session-status.js';
export type { LocalSource, RemoteTrack } from './live-media.js';

export interface RemotePeer {
  info: PeerInfo;
  tracks: RemoteTrack[];
}

export interface LiveSnapshot {
  status: SessionStatus;
  error: string | null;
  peerId: string | null;
  role: 'teacher' | 'student' | null;
  live: boolean;
  peers: RemotePeer[];
  local: Partial<Record<LocalSource, MediaStreamTrack>>;
  localPaused: Partial<Record<LocalSource, boolean>>;
  handRaised: boolean;
  /** This user as the others see them (hand, forced mute, role); null until the server says. */
  self: PeerInfo | null;
}

/** How long track and roster news gather before the room renders them. */
const peersBatchMs = 50;

/** class:join refusals that decide the session's next state. */
const joinRefusals: Partial<Record<string, 'waiting' | 'removed' | 'locked'>> = {
  waiting_room: 'waiting',
  removed: 'removed',
  class_locked: 'locked',
};

const REJOIN_FIRST_DELAY_MS = 1000;
const REJOIN_MAX_DELAY_MS = 10_000;

/** A failure that may not happen again: no answer in time, or the server's own trouble. */
function passing(err: unknown): boolean {
  return !(err instanceof LiveAckError) || ['internal', 'unavailable'].includes(err.code);
}

/** The OBS broadcast started or stopped (the server says so on the class's room). */
export type BroadcastStatusListener = (status: {
  live: boolean;
  recordingId: string | null;
}) => void;

/**
 * One browser's presence in a live class. It owns the session's state (see session-status.ts
 * for the states and their transitions) and wires three parts together: the signaling client
 * (socket), the media (mediasoup Device, transports, producers, consumers) and the quality
 * poller. React reads it through subscribe()/snapshot(); nothing here knows about components.
 */
export class LiveSession {
  readonly signaling: SignalingClient;
  /** Chat, polls, settings, waiting list and notices. */
  readonly classroom: ClassroomStore;
  /** The class's breakout rooms. */
  readonly breakouts: BreakoutStore;
  /** The active speaker and last-N's selection, apart from the room's snapshot. */
  readonly speakers = new SpeakerStore();
  /** Connection quality per peer and of what we send, apart from the room's snapshot. */
  readonly qualities = new QualityStore();
  private readonly media: LiveMedia;
  private readonly quality: QualityPoller;
  private readonly peers = new Map<string, RemotePeer>();
  private readonly listeners = new Set<() => void>();
  private joinedOnce = false;
  /** A failed re-join is tried again after this long (doubling up to a cap), while connected. */
  private rejoinDelayMs = REJOIN_FIRST_DELAY_MS;
  private rejoinTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private listening = false;
  /** A snapshot of the peers is due (one per burst of track and roster news). */
  private peersDue: ReturnType<typeof setTimeout> | undefined;
  /**
   * Media setups (join, move to another room, rebuild) one after another: one closing the
   * transports another is still using leaves objects used after they closed.
   */
  private mediaSetups: Promise<void> = Promise.resolve();
  /** Who joined, changed or left while a class:join is being answered. */
  private joiningNews: JoinNews | null = null;
  /** peer:updated about ourselves can arrive before the class:join answer names our peer. */
  private earlySelf: PeerInfo | null = null;
  private viewer: { id: string; name: string } | null = null;
  /** The tiles last reported on screen, to send only changes. */
  private visibleSent = '';
  private state: LiveSnapshot = {
    status: 'connecting',
    error: null,
    peerId: null,
    role: null,
    live: false,
    peers: [],
    local: {},
    localPaused: {},
    handRaised: false,
    self: null,
  };

  constructor(
    readonly classId: string,
    getToken: () => Promise<string | null>,
    private readonly initial: Partial<Record<'camera' | 'mic', MediaStreamTrack>>,
    private readonly onBroadcastStatus?: BroadcastStatusListener,
    /** A socket and a Device the page prepared ahead of the click on Join. */
    ahead?: JoinAhead,
  ) {
    this.signaling = ahead?.signaling ?? new SignalingClient(getToken);
    this.classroom = new ClassroomStore(this.signaling);
    this.breakouts = new BreakoutStore(this.signaling);
    this.media = new LiveMedia(this.signaling, {
      trackAdded: (peerId, track) => {
        this.peers.get(peerId)?.tracks.push(track);
        this.publishPeers();
      },
      trackRemoved: (peerId, consumerId) => {
        const peer = this.peers.get(peerId);
        if (peer) peer.tracks = peer.tracks.filter((t) => t.consumerId !== consumerId);
        this.publishPeers();
      },
      localStopped: (source) => this.stopLocal(source, true),
      error: (message) => this.set({ error: message }),
    });
    if (ahead) this.media.useDeviceLoadedAhead(ahead.device);
    this.quality = new QualityPoller(
      this.signaling,
      {
        joined: () => this.state.status === 'joined',
        sendTransportId: () => (this.media.producing ? this.media.sendTransportId : null),
        peerConsumers: () => this.peerConsumers(),
        receiveStats: () => this.media.receiveStats(),
      },
      (report) => this.applyQuality(report),
    );
  }

  /** For diagnostics and the end-to-end tests: the Socket.IO socket. */
  get socket(): LiveSocket {
    return this.signaling.socket;
  }

  snapshot = (): LiveSnapshot => this.state;

  /** Who is signed in: names this user in the participants list before the server does. */
  setViewer(user: { id: string; name: string } | null): void {
    this.viewer = user;
    this.classroom.setViewer(user?.id ?? null);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Connects and joins; a no-op while running (the click and the room's mount both start it). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.media.marks.restart();
    if (!this.listening) this.listen();
    this.signaling.connect();
    // Connected ahead of the click: its 'connect' came before we listened.
    if (this.signaling.connected) void this.onConnect();
    this.quality.start();
  }

  private listen(): void {
    this.listening = true;
    const s = this.signaling;
    // Connection and the session's lifecycle.
    s.socket.on('connect', () => void this.onConnect());
    s.socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      if (this.state.status === 'joined') this.moveTo('reconnecting');
    });
    s.socket.on('connect_error', (err) => {
      if (!s.active) this.moveTo('error', `Cannot connect: ${err.message}`);
    });
    s.on('media:reconnect', () => {
      this.serially(() => this.rebuildMedia()).catch((err: unknown) =>
        this.set({ error: err instanceof Error ? err.message : String(err) }),
      );
    });
    // One move at a time: a second one waits until the first has set media up.
    s.on('breakout:moved', (moved) => void this.serially(() => this.switchRoom(moved)));
    s.on('class:ended', () => this.finish('ended'));
    s.on('session:replaced', () => this.finish('replaced'));
    s.on('kicked', () => this.finish('kicked'));
    s.on('session:revoked', () => this.finish('revoked'));
    s.on('waiting:admitted', () => void this.onConnect());
    s.on('waiting:denied', () => this.finish('denied'));
    // Who is here.
    s.on('peer:joined', (info) => {
      this.joiningNews?.joined(info);
      this.peers.set(info.peerId, { info, tracks: [] });
      this.publishPeers();
    });
    s.on('peer:updated', (info) => {
      this.joiningNews?.updated(info);
      const p = this.peers.get(info.peerId);
      if (p) p.info = info;
      else if (info.peerId === this.state.peerId) this.setSelf(info);
      else this.earlySelf = info;
      this.publishPeers();
    });
    s.on('peer:left', ({ peerId }) => {
      this.joiningNews?.left(peerId);
      const p = this.peers.get(peerId);
      for (const t of p?.tracks ?? []) this.media.dropConsumer(t.consumerId);
      this.peers.delete(peerId);
      this.publishPeers();
    });
    // Media.
    s.on('producer:new', (p) => {
      if (this.joiningNews) this.media.consumeLater(p, this.state.peerId);
      else void this.media.consume(p, this.state.peerId);
    });
    s.on('producer:closed', ({ producerId }) => {
      this.media.dropConsumersOf(producerId);
      // A moderator or the server closed one of ours.
      const source = this.media.producerSource(producerId);
      if (source) this.stopLocal(source, false);
    });
    s.on('producer:paused', (e) => {
      if (e.peerId === this.state.peerId) {
        const source = this.media.producerSource(e.producerId);
        if (!source) return;
        if (e.paused) this.media.pausedByServer(source);
        this.set({ localPaused: { ...this.state.localPaused, [source]: e.paused } });
        return;
      }
      for (const t of this.peers.get(e.peerId)?.tracks ?? []) {
        if (t.producerId === e.producerId) t.paused = e.paused;
      }
      this.publishPeers();
    });
    s.on('consumer:closed', ({ consumerId }) => this.media.dropConsumer(consumerId));
    // At once, and without the room: the switch's new camera waits on this.
    s.on('video:selection', ({ peerIds }) => this.speakers.selected(peerIds));
    s.on('video:layers', ({ producerId, maxSpatialLayer }) =>
      this.media.applyWantedLayers(producerId, maxSpatialLayer),
    );
    // The class.
    s.on('speaker:active', ({ peerId }) => this.speakers.heard(peerId));
    s.on('class:live', ({ live }) => this.set({ live }));
    s.on('broadcast:status', (status) => this.onBroadcastStatus?.(status));
    this.classroom.listen(() => this.state.role !== 'teacher');
    this.breakouts.listen();
  }

  async leave(): Promise<void> {
    if (this.signaling.connected && this.state.status === 'joined') {
      await this.signaling.request('class:leave', {}).catch(() => undefined);
    }
    this.finish('left');
  }

  async setSource(source: LocalSource, track: MediaStreamTrack | null): Promise<void> {
    if (!track) {
      this.stopLocal(source, true);
      return;
    }
    this.set({ local: { ...this.state.local, [source]: track } });
    if (this.state.status === 'joined') await this.produce(source, track);
  }

  async setPaused(source: LocalSource, paused: boolean): Promise<void> {
    const track = this.state.local[source];
    if (track) track.enabled = !paused;
    this.set({ localPaused: { ...this.state.localPaused, [source]: paused } });
    try {
      await this.media.setPaused(source, paused);
    } catch (err) {
      if (paused || !(err instanceof LiveAckError)) throw err;
      // The server refused to resume (a teacher muted us): stay muted, and say why.
      if (track) track.enabled = false;
      this.media.pausedByServer(source);
      this.set({ localPaused: { ...this.state.localPaused, [source]: true } });
      this.classroom.notify({ kind: 'unmuteRefused', by: '' });
    }
  }

  /** The tiles on screen (grid page, pinned stage): the server sends their cameras too. */
  setVisibleTiles(peerIds: string[]): void {
    const key = [...peerIds].sort().join(',');
    if (key === this.visibleSent || this.state.status !== 'joined') return;
    this.visibleSent = key;
    void this.signaling.request('video:visible', { peerIds }).catch(() => undefined);
  }

  /** A view reports its width (null: gone) so the server forwards only the layer it needs. */
  setTileWidth(consumerId: string, view: string, width: number | null): void {
    this.media.setTileWidth(consumerId, view, width);
  }

  async teacherAction(event: 'class:start' | 'class:end'): Promise<void>;
  async teacherAction(event: 'moderation:mute' | 'moderation:kick', peerId: string): Promise<void>;
  async teacherAction(
    event: 'class:start' | 'class:end' | 'moderation:mute' | 'moderation:kick',
    peerId?: string,
  ): Promise<void> {
    if (event === 'class:start' || event === 'class:end') await this.signaling.request(event, {});
    else await this.signaling.request(event, { peerId: peerId! });
  }

  async setHand(raised: boolean): Promise<void> {
    await this.signaling.request('hand:set', { raised });
  }

  /** For tests and diagnostics: what this browser decodes, per remote track. */
  inboundStats(onlyPeerId?: string) {
    return this.media.inboundStats(onlyPeerId);
  }

  /** For benchmarks: when each step of the last join happened (performance.now()). */
  joinSteps(): Record<string, number> {
    return this.media.marks.steps();
  }

  /** For benchmarks: frames decoded per received video (one stats read). */
  receivedVideoFrames() {
    return this.media.receivedVideoFrames();
  }

  /** For benchmarks and diagnostics: what this browser sends, per local source and layer. */
  outboundStats() {
    return this.media.outboundStats();
  }

  // --- Joining and coming back: the reconnect path. ---

  /** Every (re)connection of the socket joins again, resuming the old peer when there was one. */
  private async onConnect(): Promise<void> {
    clearTimeout(this.rejoinTimer);
    const resumePeerId = this.joinedOnce ? (this.state.peerId ?? undefined) : undefined;
    try {
      this.joiningNews = new JoinNews();
      this.media.marks.mark('connected');
      const joined = await this.signaling.request('class:join', {
        classId: this.classId,
        ...(resumePeerId ? { resumePeerId } : {}),
      });
      this.media.marks.mark('joinAnswered');
      this.joinedOnce = true;
      await this.serially(() =>
        joined.resumed && this.media.hasDevice ? this.afterResume(joined) : this.setUpMedia(joined),
      );
      this.rejoinDelayMs = REJOIN_FIRST_DELAY_MS;
    } catch (err) {
      this.joiningNews = null;
      const refusal = err instanceof LiveAckError ? joinRefusals[err.code] : undefined;
      if (refusal === 'waiting') this.moveTo('waiting');
      else if (refusal) this.finish(refusal);
      else {
        this.moveTo('error', err instanceof Error ? err.message : String(err));
        if (resumePeerId && passing(err)) this.rejoinLater();
      }
    }
  }

  /**
   * Someone who was in the class is brought back without a click when their re-join failed
   * for a passing reason (an answer that timed out, a server still starting) and the socket
   * stayed up: only a new connection would otherwise try again.
   */
  private rejoinLater(): void {
    const delay = this.rejoinDelayMs;
    this.rejoinDelayMs = Math.min(delay * 2, REJOIN_MAX_DELAY_MS);
    this.rejoinTimer = setTimeout(() => {
      if (this.running && this.signaling.connected && this.state.status === 'error') {
        void this.onConnect();
      }
    }, delay);
  }

  /** Back within the grace period: same peer, same transports; restart ICE where it broke. */
  private async afterResume(joined: JoinResult): Promise<void> {
    this.joiningNews = null;
    this.set({ live: joined.live });
    this.classroom.joined(joined);
    this.moveTo('joined');
    await this.media.restartBrokenIce();
    await this.media.consumeWithAnnouncedEarly(joined.producers, joined.peerId);
  }

  /** The media server holding the class restarted: same peer, new transports. */
  private async rebuildMedia(): Promise<void> {
    this.media.dropAllConsumers();
    this.media.forgetProducers();
    const resumePeerId = this.state.peerId ?? undefined;
    this.joiningNews = new JoinNews();
    const joined = await this.signaling
      .request('class:join', { classId: this.classId, ...(resumePeerId ? { resumePeerId } : {}) })
      .catch((err: unknown) => {
        this.joiningNews = null;
        throw err;
      });
    await this.setUpMedia(joined);
  }

  /**
   * Moved to another room of the class (a breakout, or back): the server closed our media in
   * the old room; set it up against the new room's router, same tracks, same mute state.
   */
  private async switchRoom(moved: BreakoutMoved): Promise<void> {
    this.media.dropAllConsumers();
    this.media.forgetProducers();
    this.media.reset();
    try {
      await this.media.openReceiving(moved.routerRtpCapabilities);
      await Promise.all([
        this.media.consumeWithAnnouncedEarly(moved.producers, this.state.peerId),
        this.media.createTransport('send'),
      ]);
      for (const source of ['mic', 'camera', 'screen'] as const) {
        const track = this.state.local[source];
        if (track && track.readyState === 'live') await this.produce(source, track);
      }
    } catch (err) {
      this.set({ error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** A fresh peer (first join, or the old one expired): new transports, produce, consume. */
  private async setUpMedia(joined: JoinResult): Promise<void> {
    this.media.reset();
    this.speakers.selected(null);
    this.qualities.reset();
    this.visibleSent = '';
    this.peers.clear();
    const others = this.joiningNews?.peersAfter(joined) ?? joined.peers;
    this.joiningNews = null;
    for (const info of others) this.peers.set(info.peerId, { info, tracks: [] });
    this.set({ peerId: joined.peerId, role: joined.role, live: joined.live });
    this.setSelf(
      this.earlySelf?.peerId === joined.peerId
        ? this.earlySelf
        : {
            peerId: joined.peerId,
            userId: this.viewer?.id ?? '',
            name: this.viewer?.name ?? 'You',
            role: joined.role,
            handRaised: false,
            handRaisedAt: null,
            forcedMute: false,
          },
    );
    this.earlySelf = null;
    this.classroom.joined(joined);
    this.moveTo('joined');
    this.publishPeers();
    await this.media.openReceiving(joined.routerRtpCapabilities);
    // Receive first: what the others show matters more to someone joining than their own
    // camera reaching the others a few hundred milliseconds sooner, and a page setting up its
    // encoders meanwhile decodes its first frames seconds later on a busy machine.
    await Promise.all([
      this.media.consumeWithAnnouncedEarly(joined.producers, joined.peerId),
      this.media.createTransport('send'),
    ]);
    // The microphone first: being heard matters more than being seen, and a camera's
    // simulcast encoders take a starved page much longer to set up.
    const initial: [LocalSource, MediaStreamTrack | undefined][] = [
      ['mic', this.state.local.mic ?? this.initial.mic],
      ['camera', this.state.local.camera ?? this.initial.camera],
      ['screen', this.state.local.screen],
    ];
    for (const [source, track] of initial) {
      if (track && track.readyState === 'live') {
        this.set({ local: { ...this.state.local, [source]: track } });
        await this.produce(source, track).catch((err: Error) => this.set({ error: err.message }));
      }
    }
  }

  /** Runs a media setup after those before it, whether they failed or not. */
  private serially(setup: () => Promise<void>): Promise<void> {
    const run = this.mediaSetups.then(setup);
    this.mediaSetups = run.catch(() => undefined);
    return run;
  }

  // --- Local media. ---

  private async produce(source: LocalSource, track: MediaStreamTrack): Promise<void> {
    await this.media.produce(source, track, this.state.localPaused[source] === true);
  }

  private stopLocal(source: LocalSource, tellServer: boolean): void {
    this.media.closeProducer(source, tellServer);
    const track = this.state.local[source];
    // Screen tracks are ours alone; camera and mic belong to the device check and are reused.
    if (source === 'screen') track?.stop();
    const local = { ...this.state.local };
    delete local[source];
    this.set({ local });
  }

  // --- State. ---

  private setSelf(info: PeerInfo): void {
    this.set({ self: info, handRaised: info.handRaised, role: info.role });
  }

  private moveTo(status: SessionStatus, error?: string): void {
    if (!canMove(this.state.status, status)) return;
    this.set(error === undefined ? { status } : { status, error });
  }

  private finish(status: SessionStatus): void {
    this.running = false;
    clearTimeout(this.rejoinTimer);
    clearTimeout(this.peersDue);
    this.peersDue = undefined;
    this.quality.stop();
    this.media.close();
    // Producers leave tracks running (media may be rebuilt); a screen share is ours to stop.
    this.state.local.screen?.stop();
    this.signaling.disconnect();
    this.peers.clear();
    this.moveTo(status);
    this.set({ peers: [] });
  }

  private *peerConsumers(): Iterable<[string, ms.Consumer[]]> {
    for (const peer of this.peers.values()) {
      const consumers = [];
      for (const t of peer.tracks) {
        const c = this.media.consumers.get(t.consumerId)?.consumer;
        if (c && !t.paused) consumers.push(c);
      }
      yield [peer.info.peerId, consumers];
    }
  }

  /** Renders only what changed: the poll runs every two seconds, most rounds change nothing. */
  private applyQuality(report: QualityReport): void {
    this.qualities.apply(report);
  }

  /**
   * The peers' snapshot, once per burst: a join brings a track, a roster entry and a selection
   * per participant, each a socket message of its own, and each render of the room is heavy;
   * rendering every one of them keeps the page's main thread from the join's next steps.
   */
  private publishPeers(): void {
    this.peersDue ??= setTimeout(() => {
      this.peersDue = undefined;
      this.publishPeersNow();
    }, peersBatchMs);
  }

  private publishPeersNow(): void {
    this.set({
      peers: [...this.peers.values()].map((p) => ({ ...p, tracks: [...p.tracks] })),
    });
  }

  private set(patch: Partial<LiveSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
