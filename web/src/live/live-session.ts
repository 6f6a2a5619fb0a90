import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEventName,
  ClientEventResults,
  JoinResult,
  MediaSource,
  PeerInfo,
  ProducerInfo,
  TransportInfo,
} from '@educloud/protocol';

export type SessionStatus =
  | 'connecting'
  | 'joined'
  | 'reconnecting'
  | 'ended'
  | 'replaced'
  | 'kicked'
  | 'revoked'
  | 'left'
  | 'error';

export type LocalSource = 'camera' | 'mic' | 'screen';

export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
  paused: boolean;
}

export interface RemotePeer {
  info: PeerInfo;
  tracks: RemoteTrack[];
  /** 0-10 from what this browser receives of the peer; null until measured. */
  quality: number | null;
}

export interface LiveSnapshot {
  status: SessionStatus;
  error: string | null;
  peerId: string | null;
  role: 'teacher' | 'student' | null;
  live: boolean;
  peers: RemotePeer[];
  activeSpeaker: string | null;
  local: Partial<Record<LocalSource, MediaStreamTrack>>;
  localPaused: Partial<Record<LocalSource, boolean>>;
  /** 0-10 for what this browser sends, from the server's view; null until measured. */
  sendQuality: number | null;
  handRaised: boolean;
}

class LiveAckError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Camera simulcast: thumbnails take the 320p layer, a pinned tile the 720p one. */
const cameraEncodings: RTCRtpEncodingParameters[] = [
  { rid: 'r0', maxBitrate: 150_000, scaleResolutionDownBy: 4 },
  { rid: 'r1', maxBitrate: 400_000, scaleResolutionDownBy: 2 },
  { rid: 'r2', maxBitrate: 1_000_000, scaleResolutionDownBy: 1 },
];

/**
 * One browser's presence in a live class: the signaling socket, the mediasoup-client Device,
 * one send and one receive transport, and the tracks going each way. React reads it through
 * subscribe()/snapshot(); nothing here knows about components.
 */
export class LiveSession {
  private socket: Socket | null = null;
  private device: Device | null = null;
  private sendTransport: ms.Transport | null = null;
  private recvTransport: ms.Transport | null = null;
  private readonly producers = new Map<LocalSource, ms.Producer>();
  private readonly consumers = new Map<string, { consumer: ms.Consumer; peerId: string }>();
  private readonly peers = new Map<string, RemotePeer>();
  private readonly listeners = new Set<() => void>();
  private readonly layerWanted = new Map<string, number>();
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private tokenTimer: ReturnType<typeof setInterval> | undefined;
  /** The token the server holds for this socket; it closes the socket when that expires. */
  private socketToken: string | null = null;
  private joinedOnce = false;
  private state: LiveSnapshot = {
    status: 'connecting',
    error: null,
    peerId: null,
    role: null,
    live: false,
    peers: [],
    activeSpeaker: null,
    local: {},
    localPaused: {},
    sendQuality: null,
    handRaised: false,
  };

  constructor(
    private readonly classId: string,
    private readonly getToken: () => Promise<string | null>,
    private readonly initial: Partial<Record<'camera' | 'mic', MediaStreamTrack>>,
  ) {}

  snapshot = (): LiveSnapshot => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    this.socket = io({
      transports: ['websocket'],
      // A fresh token on every (re)connection: access tokens are short-lived.
      auth: (cb) => {
        void this.getToken().then((token) => {
          this.socketToken = token;
          cb({ token });
        });
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    const s = this.socket;
    s.on('connect', () => void this.onConnect());
    s.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      if (this.state.status === 'joined') this.set({ status: 'reconnecting' });
    });
    s.on('connect_error', (err) => {
      if (!s.active) this.set({ status: 'error', error: `Cannot connect: ${err.message}` });
    });
    s.on('peer:joined', (info: PeerInfo) => {
      this.peers.set(info.peerId, { info, tracks: [], quality: null });
      this.publishPeers();
    });
    s.on('peer:updated', (info: PeerInfo) => {
      const p = this.peers.get(info.peerId);
      if (p) p.info = info;
      if (info.peerId === this.state.peerId) this.set({ handRaised: info.handRaised });
      this.publishPeers();
    });
    s.on('peer:left', ({ peerId }: { peerId: string }) => {
      const p = this.peers.get(peerId);
      for (const t of p?.tracks ?? []) this.dropConsumer(t.consumerId);
      this.peers.delete(peerId);
      this.publishPeers();
    });
    s.on('producer:new', (p: ProducerInfo) => void this.consume(p));
    s.on('producer:closed', ({ producerId }: { producerId: string }) => {
      for (const [id, c] of this.consumers)
        if (c.consumer.producerId === producerId) this.dropConsumer(id);
      // A moderator or the server closed one of ours.
      for (const [source, producer] of this.producers) {
        if (producer.id === producerId) this.stopLocal(source, false);
      }
    });
    s.on('producer:paused', (e: { producerId: string; peerId: string; paused: boolean }) => {
      if (e.peerId === this.state.peerId) {
        for (const [source, producer] of this.producers) {
          if (producer.id !== e.producerId) continue;
          if (e.paused) producer.pause();
          this.set({ localPaused: { ...this.state.localPaused, [source]: e.paused } });
        }
        return;
      }
      for (const t of this.peers.get(e.peerId)?.tracks ?? []) {
        if (t.producerId === e.producerId) t.paused = e.paused;
      }
      this.publishPeers();
    });
    s.on('consumer:closed', ({ consumerId }: { consumerId: string }) =>
      this.dropConsumer(consumerId),
    );
    s.on('speaker:active', ({ peerId }: { peerId: string | null }) =>
      this.set({ activeSpeaker: peerId }),
    );
    s.on('class:live', ({ live }: { live: boolean }) => this.set({ live }));
    s.on('class:ended', () => this.finish('ended'));
    s.on('session:replaced', () => this.finish('replaced'));
    s.on('kicked', () => this.finish('kicked'));
    s.on('session:revoked', () => this.finish('revoked'));
    // The server closes a socket whose token ran out; the next connection carries a fresh one.
    s.on('session:expired', () => s.once('disconnect', () => s.connect()));
    s.on('media:reconnect', () => void this.rebuildMedia());
    this.statsTimer = setInterval(() => void this.measure(), 2000);
    this.tokenTimer = setInterval(() => void this.renewSocketToken(), 20_000);
  }

  async leave(): Promise<void> {
    if (this.socket?.connected && this.state.status === 'joined') {
      await this.request('class:leave', {}).catch(() => undefined);
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
    const producer = this.producers.get(source);
    const track = this.state.local[source];
    if (track) track.enabled = !paused;
    this.set({ localPaused: { ...this.state.localPaused, [source]: paused } });
    if (!producer) return;
    if (paused) producer.pause();
    else producer.resume();
    await this.request(paused ? 'producer:pause' : 'producer:resume', { producerId: producer.id });
  }

  /** A tile reports its width so the server forwards only the simulcast layer it needs. */
  setTileWidth(consumerId: string, width: number): void {
    const layer = width >= 640 ? 2 : width >= 320 ? 1 : 0;
    if (this.layerWanted.get(consumerId) === layer) return;
    this.layerWanted.set(consumerId, layer);
    void this.request('consumer:setPreferredLayers', { consumerId, spatialLayer: layer }).catch(
      () => undefined,
    );
  }

  async teacherAction(event: 'class:start' | 'class:end'): Promise<void>;
  async teacherAction(event: 'moderation:mute' | 'moderation:kick', peerId: string): Promise<void>;
  async teacherAction(event: ClientEventName, peerId?: string): Promise<void> {
    await this.request(event, peerId ? { peerId } : {});
  }

  async setHand(raised: boolean): Promise<void> {
    await this.request('hand:set', { raised });
  }

  /** For tests and diagnostics: what this browser decodes, per remote track. */
  async inboundStats(): Promise<
    {
      peerId: string;
      source: string;
      kind: string;
      framesDecoded: number;
      packetsReceived: number;
    }[]
  > {
    const out = [];
    for (const { consumer, peerId } of this.consumers.values()) {
      let framesDecoded = 0;
      let packetsReceived = 0;
      (await consumer.getStats()).forEach(
        (r: { type: string; framesDecoded?: number; packetsReceived?: number }) => {
          if (r.type !== 'inbound-rtp') return;
          framesDecoded += r.framesDecoded ?? 0;
          packetsReceived += r.packetsReceived ?? 0;
        },
      );
      const source = String((consumer.appData as { source?: string }).source);
      out.push({ peerId, source, kind: consumer.kind, framesDecoded, packetsReceived });
    }
    return out;
  }

  private async onConnect(): Promise<void> {
    try {
      const resumePeerId = this.joinedOnce ? (this.state.peerId ?? undefined) : undefined;
      const joined = await this.request('class:join', { classId: this.classId, resumePeerId });
      this.joinedOnce = true;
      if (joined.resumed && this.device) {
        await this.afterResume(joined);
      } else {
        await this.setUpMedia(joined);
      }
    } catch (err) {
      this.set({ status: 'error', error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async setUpMedia(joined: JoinResult): Promise<void> {
    this.closeTransports();
    this.peers.clear();
    for (const info of joined.peers)
      this.peers.set(info.peerId, { info, tracks: [], quality: null });
    this.set({ peerId: joined.peerId, role: joined.role, live: joined.live, status: 'joined' });
    this.publishPeers();
    if (!this.device) {
      this.device = new Device();
      await this.device.load({
        routerRtpCapabilities: joined.routerRtpCapabilities as unknown as ms.RtpCapabilities,
      });
    }
    this.recvTransport = this.makeTransport(
      'recv',
      await this.request('transport:create', { direction: 'recv' }),
    );
    // Receive first: what the others show matters more to someone joining than their own
    // camera reaching the others a few hundred milliseconds sooner.
    const consumed = Promise.all(joined.producers.map((p) => this.consume(p)));
    this.sendTransport = this.makeTransport(
      'send',
      await this.request('transport:create', { direction: 'send' }),
    );
    const initial: [LocalSource, MediaStreamTrack | undefined][] = [
      ['camera', this.state.local.camera ?? this.initial.camera],
      ['mic', this.state.local.mic ?? this.initial.mic],
      ['screen', this.state.local.screen],
    ];
    for (const [source, track] of initial) {
      if (track && track.readyState === 'live') {
        this.set({ local: { ...this.state.local, [source]: track } });
        await this.produce(source, track).catch((err: Error) => this.set({ error: err.message }));
      }
    }
    await consumed;
  }

  /** Back within the grace period: same peer, same transports; restart ICE where it broke. */
  private async afterResume(joined: JoinResult): Promise<void> {
    this.set({ status: 'joined', live: joined.live });
    for (const t of [this.sendTransport, this.recvTransport]) {
      if (!t || t.closed) continue;
      if (t.connectionState === 'failed' || t.connectionState === 'disconnected') {
        const { iceParameters } = await this.request('transport:restartIce', { transportId: t.id });
        await t.restartIce({ iceParameters: iceParameters as unknown as ms.IceParameters });
      }
    }
    const known = new Set([...this.consumers.values()].map((c) => c.consumer.producerId));
    for (const p of joined.producers) if (!known.has(p.producerId)) await this.consume(p);
  }

  private async rebuildMedia(): Promise<void> {
    for (const id of [...this.consumers.keys()]) this.dropConsumer(id);
    this.producers.clear();
    const joined = await this.request('class:join', {
      classId: this.classId,
      resumePeerId: this.state.peerId ?? undefined,
    });
    await this.setUpMedia(joined);
  }

  private makeTransport(direction: 'send' | 'recv', info: TransportInfo): ms.Transport {
    const params = info as unknown as ms.TransportOptions;
    const device = this.device!;
    const t =
      direction === 'send'
        ? device.createSendTransport(params)
        : device.createRecvTransport(params);
    t.on('connect', ({ dtlsParameters }, done, fail) => {
      this.request('transport:connect', { transportId: t.id, dtlsParameters }).then(
        () => done(),
        fail,
      );
    });
    if (direction === 'send') {
      t.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        this.request('produce', {
          transportId: t.id,
          kind,
          rtpParameters,
          source: (appData as { source: MediaSource }).source,
        }).then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    t.on('connectionstatechange', (state) => {
      if (state === 'failed' && this.socket?.connected) {
        void this.request('transport:restartIce', { transportId: t.id })
          .then(({ iceParameters }) =>
            t.restartIce({ iceParameters: iceParameters as unknown as ms.IceParameters }),
          )
          .catch(() => undefined);
      }
    });
    return t;
  }

  private async produce(source: LocalSource, track: MediaStreamTrack): Promise<void> {
    const transport = this.sendTransport;
    if (!transport) return;
    const existing = this.producers.get(source);
    if (existing && !existing.closed) {
      await existing.replaceTrack({ track });
      return;
    }
    const wire: MediaSource = source;
    const producer = await transport.produce({
      track,
      appData: { source: wire },
      ...(source === 'camera'
        ? { encodings: cameraEncodings, codecOptions: { videoGoogleStartBitrate: 1000 } }
        : {}),
      ...(source === 'screen' ? { encodings: [{ maxBitrate: 1_500_000 }] } : {}),
    });
    this.producers.set(source, producer);
    if (this.state.localPaused[source]) await this.setPaused(source, true);
    track.addEventListener('ended', () => this.stopLocal(source, true));
  }

  private stopLocal(source: LocalSource, tellServer: boolean): void {
    const producer = this.producers.get(source);
    this.producers.delete(source);
    if (producer && !producer.closed) {
      producer.close();
      if (tellServer && this.socket?.connected) {
        void this.request('producer:close', { producerId: producer.id }).catch(() => undefined);
      }
    }
    const track = this.state.local[source];
    // Screen tracks are ours alone; camera and mic belong to the device check and are reused.
    if (source === 'screen') track?.stop();
    const local = { ...this.state.local };
    delete local[source];
    this.set({ local });
  }

  private async consume(p: ProducerInfo): Promise<void> {
    const transport = this.recvTransport;
    const device = this.device;
    if (!transport || !device || p.peerId === this.state.peerId) return;
    for (const c of this.consumers.values()) if (c.consumer.producerId === p.producerId) return;
    try {
      const info = await this.request('consume', {
        transportId: transport.id,
        producerId: p.producerId,
        rtpCapabilities: device.recvRtpCapabilities,
      });
      const consumer = await transport.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as unknown as ms.RtpParameters,
        appData: { source: p.source },
      });
      this.consumers.set(consumer.id, { consumer, peerId: p.peerId });
      const peer = this.peers.get(p.peerId);
      peer?.tracks.push({
        consumerId: consumer.id,
        producerId: p.producerId,
        source: p.source,
        kind: info.kind,
        track: consumer.track,
        paused: p.paused,
      });
      this.publishPeers();
      await this.request('consumer:resume', { consumerId: consumer.id });
    } catch (err) {
      // The producer may have gone between the announcement and our request.
      if (!(err instanceof LiveAckError && err.code === 'not_found')) {
        this.set({ error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.layerWanted.delete(consumerId);
    entry.consumer.close();
    const peer = this.peers.get(entry.peerId);
    if (peer) peer.tracks = peer.tracks.filter((t) => t.consumerId !== consumerId);
    this.publishPeers();
  }

  private async measure(): Promise<void> {
    if (this.state.status !== 'joined') return;
    if (this.sendTransport && this.producers.size > 0) {
      const stats = await this.request('transport:stats', {
        transportId: this.sendTransport.id,
      }).catch(() => null);
      if (stats) this.set({ sendQuality: stats.score });
    }
    for (const peer of this.peers.values()) {
      let worst: number | null = null;
      for (const t of peer.tracks) {
        const c = this.consumers.get(t.consumerId)?.consumer;
        if (!c || t.paused) continue;
        const q = qualityFrom(await c.getStats(), (c.appData as { last?: RtcCounters }).last);
        (c.appData as { last?: RtcCounters }).last = q.counters;
        if (q.score !== null) worst = worst === null ? q.score : Math.min(worst, q.score);
      }
      peer.quality = worst;
    }
    this.publishPeers();
  }

  private closeTransports(): void {
    for (const id of [...this.consumers.keys()]) this.dropConsumer(id);
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = this.recvTransport = null;
  }

  /** Hands the server each renewed access token before the one it holds expires. */
  private async renewSocketToken(): Promise<void> {
    const token = await this.getToken();
    if (!token || token === this.socketToken || !this.socket?.connected) return;
    try {
      await this.request('session:refresh', { token });
      this.socketToken = token;
    } catch {
      // Expiry then closes the socket and the reconnection carries the fresh token.
    }
  }

  private finish(status: SessionStatus): void {
    clearInterval(this.statsTimer);
    clearInterval(this.tokenTimer);
    this.closeTransports();
    this.socket?.disconnect();
    this.peers.clear();
    this.set({ status, peers: [] });
  }

  private async request<E extends ClientEventName>(
    event: E,
    payload: unknown,
  ): Promise<ClientEventResults[E]> {
    if (!this.socket) throw new Error('not connected');
    const result = (await this.socket.timeout(10_000).emitWithAck(event, payload)) as Ack<
      ClientEventResults[E]
    >;
    if (!result.ok) throw new LiveAckError(result.error.code, result.error.message);
    return result.data;
  }

  private publishPeers(): void {
    this.set({
      peers: [...this.peers.values()].map((p) => ({ ...p, tracks: [...p.tracks] })),
    });
  }

  private set(patch: Partial<LiveSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}

interface RtcCounters {
  received: number;
  lost: number;
}

/** 10 is clean; each percent of packets lost in the last interval costs a point. */
export function qualityFrom(
  report: RTCStatsReport,
  last: RtcCounters | undefined,
): { score: number | null; counters: RtcCounters } {
  let received = 0;
  let lost = 0;
  report.forEach((r: { type: string; packetsReceived?: number; packetsLost?: number }) => {
    if (r.type !== 'inbound-rtp') return;
    received += r.packetsReceived ?? 0;
    lost += r.packetsLost ?? 0;
  });
  const counters = { received, lost };
  if (!last) return { score: null, counters };
  const dReceived = received - last.received;
  const dLost = Math.max(0, lost - last.lost);
  if (dReceived + dLost === 0) return { score: 0, counters };
  const lossPct = (100 * dLost) / (dReceived + dLost);
  return { score: Math.max(0, Math.round(10 - lossPct)), counters };
}
