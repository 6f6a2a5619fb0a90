import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import type { ConsumeResult, MediaSource, ProducerInfo, TransportInfo } from '@educloud/protocol';
import type { LoadedDevice } from './join-ahead.js';
import { JoinMarks } from './join-marks.js';
import { LiveAckError, type SignalingClient } from './signaling-client.js';

export type LocalSource = 'camera' | 'mic' | 'screen';

export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
  paused: boolean;
}

/** What the media layer tells the session about; the session turns it into snapshot state. */
export interface MediaEvents {
  trackAdded(peerId: string, track: RemoteTrack): void;
  trackRemoved(peerId: string, consumerId: string): void;
  /** A local producer ended (its track ended, or the server or a moderator closed it). */
  localStopped(source: LocalSource): void;
  error(message: string): void;
}

export interface ConsumerEntry {
  consumer: ms.Consumer;
  peerId: string;
}

/** Camera simulcast: thumbnails take the 320p layer, a pinned tile the 720p one. */
const cameraEncodings: RTCRtpEncodingParameters[] = [
  { rid: 'r0', maxBitrate: 150_000, scaleResolutionDownBy: 4 },
  { rid: 'r1', maxBitrate: 400_000, scaleResolutionDownBy: 2 },
  { rid: 'r2', maxBitrate: 1_000_000, scaleResolutionDownBy: 1 },
];

/**
 * This browser's mediasoup side of a live class: the Device, one send and one receive
 * transport, the producers (one per local source) and the consumers (one per remote track).
 * It holds no session state: what changes is reported through MediaEvents.
 */
export class LiveMedia {
  private device: Device | null = null;
  /** The router capabilities the Device was loaded with: another router may differ. */
  private deviceCapabilities = '';
  private sendTransport: ms.Transport | null = null;
  private recvTransport: ms.Transport | null = null;
  private readonly producers = new Map<LocalSource, ms.Producer>();
  readonly consumers = new Map<string, ConsumerEntry>();
  private readonly layerWanted = new Map<string, number>();
  /** Per consumer, the width of each view drawing it (the stage and a tile may both). */
  private readonly viewWidths = new Map<string, Map<string, number>>();
  /**
   * Producers announced while the receive transport was still being made: a join racing
   * someone's publish (everyone rejoins at once after a server restart) must not lose them.
   */
  private readonly announcedEarly = new Map<string, ProducerInfo>();
  /** Consume requests in flight, so an early announcement and the join's list ask only once. */
  private readonly consuming = new Set<string>();
  /**
   * Dynacast: the top simulcast layer anyone watches of each of our cameras (null: nobody).
   * Kept by producer id: the server may say it before our produce request is answered.
   */
  private readonly watched = new Map<string, number | null>();
  /** Sources the user (or a moderator) paused; dynacast never resumes those. */
  private readonly userPaused = new Set<LocalSource>();
  /** A Device the device check loaded, once it has (see useDeviceLoadedAhead). */
  private loadedAhead: LoadedDevice | null = null;
  /**
   * A mute or unmute asked while the source's producer was being made: applied once it
   * exists, or a microphone muted just after joining would stay on at the server (a
   * candidate for active speaker the whole class long, though it sends silence).
   */
  private readonly pausedWhileProducing = new Map<LocalSource, boolean>();
  /** Where a join's time goes (the session marks its own steps here too). */
  readonly marks = new JoinMarks();

  constructor(
    private readonly signaling: SignalingClient,
    private readonly events: MediaEvents,
    /** The browser's WebRTC by default; unit tests pass mediasoup-client's fake handler. */
    private readonly createDevice: () => Device = () => new Device(),
  ) {}

  /**
   * A Device loaded while the device check showed: the join takes it if it is loaded by then
   * and was loaded for the router the join answers with; else the join loads its own, as
   * waiting for one still loading would gain nothing.
   */
  useDeviceLoadedAhead(loading: Promise<LoadedDevice | null>): void {
    void loading.then((loaded) => {
      if (!this.device) this.loadedAhead = loaded;
    });
  }

  get hasDevice(): boolean {
    return this.device !== null;
  }

  get sendTransportId(): string | null {
    return this.sendTransport?.id ?? null;
  }

  get producing(): boolean {
    return this.producers.size > 0;
  }

  /**
   * Loads the Device once, and again if the router changed (a server restarted on another
   * mediasoup version): a Device serves the capabilities it was loaded with only.
   */
  async loadDevice(routerRtpCapabilities: Record<string, unknown>): Promise<void> {
    const capabilities = JSON.stringify(routerRtpCapabilities);
    if (!this.device && this.loadedAhead?.capabilities === capabilities) {
      this.device = this.loadedAhead.device;
      this.deviceCapabilities = capabilities;
    }
    this.loadedAhead = null;
    if (this.device && capabilities === this.deviceCapabilities) return;
    const device = this.createDevice();
    await device.load({
      routerRtpCapabilities: routerRtpCapabilities as unknown as ms.RtpCapabilities,
    });
    this.device = device;
    this.deviceCapabilities = capabilities;
  }

  /**
   * Loads the Device and makes the receive transport, asking the server for the transport while
   * the Device loads (neither needs the other until the transport is made here).
   */
  async openReceiving(routerRtpCapabilities: Record<string, unknown>): Promise<void> {
    const [info] = await Promise.all([
      this.signaling.request('transport:create', { direction: 'recv' }),
      this.loadDevice(routerRtpCapabilities).then(() => this.marks.mark('device')),
    ]);
    this.recvTransport = this.makeTransport('recv', info);
    this.marks.mark('recvTransport');
  }

  async createTransport(direction: 'send' | 'recv'): Promise<void> {
    const info = await this.signaling.request('transport:create', { direction });
    const t = this.makeTransport(direction, info);
    this.marks.mark(`${direction}Transport`);
    if (direction === 'send') this.sendTransport = t;
    else this.recvTransport = t;
  }

  /** Back on the same transports after a socket drop: restart ICE where it broke. */
  async restartBrokenIce(): Promise<void> {
    for (const t of [this.sendTransport, this.recvTransport]) {
      if (!t || t.closed) continue;
      if (t.connectionState === 'failed' || t.connectionState === 'disconnected') {
        const { iceParameters } = await this.signaling.request('transport:restartIce', {
          transportId: t.id,
        });
        await t.restartIce({ iceParameters: iceParameters as unknown as ms.IceParameters });
      }
    }
  }

  consumesProducer(producerId: string): boolean {
    for (const c of this.consumers.values()) if (c.consumer.producerId === producerId) return true;
    return false;
  }

  producerSource(producerId: string): LocalSource | null {
    for (const [source, producer] of this.producers) if (producer.id === producerId) return source;
    return null;
  }

  async produce(
    source: LocalSource,
    track: MediaStreamTrack,
    startPaused: boolean,
  ): Promise<ms.Producer | null> {
    const transport = this.sendTransport;
    if (!transport) return null;
    const existing = this.producers.get(source);
    if (existing && !existing.closed) {
      await existing.replaceTrack({ track });
      return null;
    }
    const wire: MediaSource = source;
    this.pausedWhileProducing.delete(source);
    const producer = await transport.produce({
      track,
      // The session owns its tracks: media rebuilt after a server restart or a lost worker
      // closes these producers and publishes the same tracks again, so they must stay live.
      stopTracks: false,
      appData: { source: wire },
      ...(source === 'camera'
        ? {
            encodings: cameraEncodings,
            codecOptions: { videoGoogleStartBitrate: 1000 },
            // Dynacast pauses a camera nobody watches: stop encoding (no track on the
            // sender) but keep the track enabled, our own preview shows it.
            disableTrackOnPause: false,
            zeroRtpOnPause: true,
          }
        : {}),
      ...(source === 'screen' ? { encodings: [{ maxBitrate: 1_500_000 }] } : {}),
    });
    this.producers.set(source, producer);
    const paused = this.pausedWhileProducing.get(source) ?? startPaused;
    this.pausedWhileProducing.delete(source);
    if (paused) await this.setPaused(source, true);
    else {
      this.userPaused.delete(source);
      this.syncSending(source);
    }
    const ended = () => this.events.localStopped(source);
    track.addEventListener('ended', ended);
    producer.observer.once('close', () => track.removeEventListener('ended', ended));
    return producer;
  }

  async setPaused(source: LocalSource, paused: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) {
      this.pausedWhileProducing.set(source, paused);
      return;
    }
    if (paused) this.userPaused.add(source);
    else this.userPaused.delete(source);
    this.syncSending(source);
    await this.signaling.request(paused ? 'producer:pause' : 'producer:resume', {
      producerId: producer.id,
    });
  }

  /** The server paused one of ours (a moderator muted us): stop sending too. */
  pausedByServer(source: LocalSource): void {
    this.userPaused.add(source);
    this.syncSending(source);
  }

  /** Dynacast: the server says which layers of our camera anyone watches. */
  applyWantedLayers(producerId: string, maxSpatialLayer: number | null): void {
    this.watched.set(producerId, maxSpatialLayer);
    const source = this.producerSource(producerId);
    if (source) this.syncSending(source);
  }

  /**
   * Sends only what is wanted: nothing when paused or unwatched, else the watched layers. The
   * layers are set before a resume (mediasoup-client queues both in order): the encoders start
   * with what the viewers want, rather than with the layers of before and change them after.
   */
  private syncSending(source: LocalSource): void {
    const producer = this.producers.get(source);
    if (!producer || producer.closed) return;
    const wanted = this.watched.get(producer.id);
    const idle = this.userPaused.has(source) || wanted === null;
    if (!idle && typeof wanted === 'number' && producer.maxSpatialLayer !== wanted) {
      void producer.setMaxSpatialLayer(wanted).catch(() => undefined);
    }
    if (idle && !producer.paused) producer.pause();
    else if (!idle && producer.paused) producer.resume();
  }

  closeProducer(source: LocalSource, tellServer: boolean): void {
    const producer = this.producers.get(source);
    this.producers.delete(source);
    if (producer) this.watched.delete(producer.id);
    if (producer && !producer.closed) {
      producer.close();
      if (tellServer && this.signaling.connected) {
        void this.signaling
          .request('producer:close', { producerId: producer.id })
          .catch(() => undefined);
      }
    }
  }

  async consume(p: ProducerInfo, ownPeerId: string | null): Promise<void> {
    await this.consumeAll([p], ownPeerId);
  }

  /**
   * Consumes several producers in one negotiation: mediasoup-client batches the consumers
   * made in the same tick into one SDP offer/answer, where one made per answer as it came
   * costs a renegotiation each, one after another (3 publishers: seconds on a busy page).
   * So every answer is awaited first, then all consumers are made at once.
   */
  async consumeAll(list: ProducerInfo[], ownPeerId: string | null): Promise<void> {
    const transport = this.recvTransport;
    const device = this.device;
    const others = list.filter((p) => p.peerId !== ownPeerId);
    if (!transport || !device) {
      for (const p of others) this.announcedEarly.set(p.producerId, p);
      return;
    }
    const fresh = new Map<string, ProducerInfo>();
    for (const p of others) {
      if (this.consumesProducer(p.producerId) || this.consuming.has(p.producerId)) continue;
      fresh.set(p.producerId, p);
    }
    if (fresh.size === 0) return;
    for (const id of fresh.keys()) this.consuming.add(id);
    this.marks.mark('consumeAsked');
    const rtpCapabilities = device.recvRtpCapabilities as unknown as Record<string, unknown>;
    try {
      const answers = await Promise.all(
        [...fresh.values()].map((p) =>
          this.signaling
            .request('consume', {
              transportId: transport.id,
              producerId: p.producerId,
              rtpCapabilities,
            })
            .then(
              (info) => ({ p, info }),
              (err: unknown) => {
                this.consumeFailed(err);
                return null;
              },
            ),
        ),
      );
      // Moved to another room (or media rebuilt) while asking: that transport is gone, and
      // the new room's list brings these producers again if they are there.
      if (transport.closed) return;
      this.marks.mark('consumeAnswered');
      await Promise.all(
        answers.map((a) =>
          a
            ? this.attach(transport, a.p, a.info).catch((err: unknown) => this.consumeFailed(err))
            : null,
        ),
      );
    } finally {
      for (const id of fresh.keys()) this.consuming.delete(id);
    }
  }

  /** Makes the consumer the server answered with, shows its track and resumes it. */
  private async attach(
    transport: ms.Transport,
    p: ProducerInfo,
    info: ConsumeResult,
  ): Promise<void> {
    const consumer = await transport.consume({
      id: info.consumerId,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as unknown as ms.RtpParameters,
      appData: { source: p.source },
    });
    this.consumers.set(consumer.id, { consumer, peerId: p.peerId });
    this.marks.mark('consumer');
    this.events.trackAdded(p.peerId, {
      consumerId: consumer.id,
      producerId: p.producerId,
      source: p.source,
      kind: info.kind,
      track: consumer.track,
      paused: p.paused,
    });
    await this.signaling.request('consumer:resume', { consumerId: consumer.id });
    this.marks.mark(`resumed:${info.kind}`);
  }

  private consumeFailed(err: unknown): void {
    // The producer may have gone between the announcement and our request.
    if (err instanceof LiveAckError && err.code === 'not_found') return;
    this.events.error(err instanceof Error ? err.message : String(err));
  }

  /**
   * Keeps a producer announced while a (re)join is under way, for the join's setup to consume:
   * the receive transport held until then may belong to the server's previous life, and the
   * join's own list of producers was made before this news.
   */
  consumeLater(p: ProducerInfo, ownPeerId: string | null): void {
    if (p.peerId !== ownPeerId) this.announcedEarly.set(p.producerId, p);
  }

  /**
   * Consumes a room's producers with those announced before the receive transport existed,
   * all in one negotiation.
   */
  async consumeWithAnnouncedEarly(list: ProducerInfo[], ownPeerId: string | null): Promise<void> {
    // The room's list is the newer news of a producer announced early too.
    const all = new Map([...this.announcedEarly, ...list.map((p) => [p.producerId, p] as const)]);
    this.announcedEarly.clear();
    await this.consumeAll([...all.values()], ownPeerId);
  }

  dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.layerWanted.delete(consumerId);
    this.viewWidths.delete(consumerId);
    entry.consumer.close();
    this.events.trackRemoved(entry.peerId, consumerId);
  }

  dropConsumersOf(producerId: string): void {
    this.announcedEarly.delete(producerId);
    for (const [id, c] of this.consumers)
      if (c.consumer.producerId === producerId) this.dropConsumer(id);
  }

  dropAllConsumers(): void {
    for (const id of [...this.consumers.keys()]) this.dropConsumer(id);
  }

  /**
   * A view (`view`: the stage, a tile) reports its width, or null once it stops drawing the
   * consumer, so the server forwards only the simulcast layer the widest view needs: the stage
   * and a tile showing one camera would otherwise take turns, the publisher's encodings going
   * up and down with them.
   */
  setTileWidth(consumerId: string, view: string, width: number | null): void {
    if (!this.consumers.has(consumerId)) return;
    const views = this.viewWidths.get(consumerId) ?? new Map<string, number>();
    this.viewWidths.set(consumerId, views);
    if (width === null) views.delete(view);
    else views.set(view, width);
    // Drawn nowhere: the server keeps the last layer (last-N and dynacast decide the rest).
    if (views.size === 0) return;
    const widest = Math.max(...views.values());
    const layer = widest >= 640 ? 2 : widest >= 320 ? 1 : 0;
    if (this.layerWanted.get(consumerId) === layer) return;
    this.layerWanted.set(consumerId, layer);
    void this.signaling
      .request('consumer:setPreferredLayers', { consumerId, spatialLayer: layer })
      .catch(() => undefined);
  }

  /** Forgets the producers without closing them: the server has already dropped them. */
  forgetProducers(): void {
    this.producers.clear();
  }

  /**
   * Closes transports, producers and consumers, keeping the producers announced early: a
   * setup after this (join, move, rebuild) consumes those announced while it was asked for.
   */
  reset(): void {
    this.dropAllConsumers();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = this.recvTransport = null;
  }

  close(): void {
    this.announcedEarly.clear();
    this.reset();
  }

  /**
   * For tests and diagnostics: what this browser decodes, per remote track (of one peer with
   * `peerId`: one stats read instead of one per track, when timing that peer).
   */
  async inboundStats(onlyPeerId?: string): Promise<
    {
      consumerId: string;
      peerId: string;
      source: string;
      kind: string;
      framesDecoded: number;
      packetsReceived: number;
    }[]
  > {
    const out = [];
    for (const { consumer, peerId } of [...this.consumers.values()]) {
      if (onlyPeerId !== undefined && peerId !== onlyPeerId) continue;
      let framesDecoded = 0;
      let packetsReceived = 0;
      // A move to another room may close it while we wait on an earlier one's stats.
      const stats = consumer.closed ? null : await consumer.getStats().catch(() => null);
      if (!stats) continue;
      stats.forEach((r: { type: string; framesDecoded?: number; packetsReceived?: number }) => {
        if (r.type !== 'inbound-rtp') return;
        framesDecoded += r.framesDecoded ?? 0;
        packetsReceived += r.packetsReceived ?? 0;
      });
      const source = String((consumer.appData as { source?: string }).source);
      out.push({
        consumerId: consumer.id,
        peerId,
        source,
        kind: consumer.kind,
        framesDecoded,
        packetsReceived,
      });
    }
    return out;
  }

  /** The receive transport's stats in one read (null before it exists or once closed). */
  async receiveStats(): Promise<RTCStatsReport | null> {
    const t = this.recvTransport;
    if (!t || t.closed) return null;
    return t.getStats().catch(() => null);
  }

  /**
   * For benchmarks: frames decoded per received video, from one read of the receive
   * transport's stats (what a bare mediasoup-client page reads, so both cost the same).
   */
  async receivedVideoFrames(): Promise<number[]> {
    const t = this.recvTransport;
    if (!t || t.closed) return [];
    const stats = await t.getStats();
    const frames: number[] = [];
    stats.forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') frames.push(r.framesDecoded ?? 0);
    });
    return frames;
  }

  /** For benchmarks and diagnostics: what this browser sends, per local source and layer. */
  async outboundStats(): Promise<
    {
      source: string;
      kind: string;
      rid: string | null;
      bytesSent: number;
      framesEncoded: number;
      /** Seconds this browser spent encoding the layer so far. */
      totalEncodeTime: number;
    }[]
  > {
    const out: Awaited<ReturnType<LiveMedia['outboundStats']>> = [];
    for (const [source, producer] of this.producers) {
      if (producer.closed) continue;
      (await producer.getStats()).forEach(
        (r: {
          type: string;
          rid?: string;
          bytesSent?: number;
          framesEncoded?: number;
          totalEncodeTime?: number;
        }) => {
          if (r.type !== 'outbound-rtp') return;
          out.push({
            source,
            kind: producer.kind,
            rid: r.rid ?? null,
            bytesSent: r.bytesSent ?? 0,
            framesEncoded: r.framesEncoded ?? 0,
            totalEncodeTime: r.totalEncodeTime ?? 0,
          });
        },
      );
    }
    return out;
  }

  private makeTransport(direction: 'send' | 'recv', info: TransportInfo): ms.Transport {
    const params = info as unknown as ms.TransportOptions;
    const device = this.device!;
    const t =
      direction === 'send'
        ? device.createSendTransport(params)
        : device.createRecvTransport(params);
    t.on('connect', ({ dtlsParameters }, done, fail) => {
      this.signaling
        .request('transport:connect', {
          transportId: t.id,
          dtlsParameters: dtlsParameters as unknown as Record<string, unknown>,
        })
        .then(() => done(), fail);
    });
    if (direction === 'send') {
      t.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        this.signaling
          .request('produce', {
            transportId: t.id,
            kind,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
            source: (appData as { source: Exclude<MediaSource, 'ingest'> }).source,
          })
          .then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    t.on('connectionstatechange', (state) => {
      if (state === 'failed' && this.signaling.connected) {
        void this.signaling
          .request('transport:restartIce', { transportId: t.id })
          .then(({ iceParameters }) =>
            t.restartIce({ iceParameters: iceParameters as unknown as ms.IceParameters }),
          )
          .catch(() => undefined);
      }
    });
    return t;
  }
}
