import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { RoomConsumer } from './consumerAppData.js';
import { selectCameraPeers } from './lastN.js';
import type { ProducerDirectory } from './ProducerDirectory.js';

export type VideoSelectionEvents = {
  /** Whose camera video `peerId` receives now (changed since last told). */
  selection: [{ peerId: string; peerIds: string[] }];
  /** The highest simulcast layer anyone receives of a camera (`null`: nobody watches it). */
  layers: [{ peerId: string; producerId: string; maxSpatialLayer: number | null }];
};

interface Gate {
  consumer: RoomConsumer;
  /** The client set its side up and asked for the media. */
  clientReady: boolean;
  /** What we last asked mediasoup for (its own `paused` flag lags behind the request). */
  flowing: boolean;
}

/** The top simulcast layer when a consumer never stated a preference. */
const topLayer = 2;

/**
 * How long a publisher keeps sending layers nobody watches any more before it is told to stop
 * them. Raising is told at once (a newly selected camera is asked for the layer its viewers
 * want, not the lowest); lowering waits, so a speaker switch back and forth finds the layers
 * still being sent instead of restarting the publisher's encoders (a restarted layer also
 * waits on mediasoup: a consumer moves up only to a layer sent for two seconds).
 */
export const LOWER_LAYER_AFTER_MS = 1000;

/**
 * Last-N and dynacast for one room. Camera consumers are gated: one flows only when its
 * client resumed it AND the viewer selects that camera (teachers, tiles on screen, the N most
 * recent speakers). Switching resumes a paused consumer and asks for a key frame, with no
 * signaling round trip. Audio, screen shares and broadcasts are never gated.
 */
export class VideoSelection extends EventEmitter<VideoSelectionEvents> {
  private readonly gates = new Map<string, Gate>();
  private speakers: string[] = [];
  private readonly pinned = new Set<string>();
  private readonly visible = new Map<string, Set<string>>();
  private readonly told = new Map<string, string>();
  private readonly layersTold = new Map<string, number | null>();
  /** Per camera, the lowering told after LOWER_LAYER_AFTER_MS unless raised before. */
  private readonly lowering = new Map<string, NodeJS.Timeout>();
  /** Viewers that take every camera and are never gated (a recorder). */
  private readonly takesAll = new Set<string>();
  /**
   * Camera consumers outside the gates that still watch: pipes into breakouts and to other
   * nodes, a recorder's. Dynacast counts them, or it would pause a camera at its source while
   * a breakout, another node or the recording still receives it.
   */
  private readonly ungated = new Map<string, types.Consumer>();

  constructor(
    private readonly producers: ProducerDirectory,
    private readonly viewers: () => Iterable<string>,
    private readonly lastN: number | 'off',
    /** Off: publishers are never told, they send every layer. */
    private readonly dynacast: boolean,
    private readonly logger: Logger,
    /** Recent speakers beyond last-N whose cameras keep their lowest layer (see options). */
    private readonly standbyCameras = 0,
  ) {
    super();
  }

  /** Camera consumers flowing / held back, for metrics. */
  counts(): { flowing: number; held: number } {
    let flowing = 0;
    for (const g of this.gates.values()) if (g.flowing) flowing++;
    return { flowing, held: this.gates.size - flowing };
  }

  /** Whether a consumer is ours to resume (a camera); others the client resumes directly. */
  isGated(consumer: RoomConsumer): boolean {
    return this.gates.has(consumer.id);
  }

  /** `peerId` receives every camera, ungated, and counts as watching each (a recorder). */
  takeAll(peerId: string): void {
    this.takesAll.add(peerId);
  }

  track(consumer: RoomConsumer): void {
    if (consumer.kind !== 'video' || consumer.appData.source !== 'camera') return;
    if (this.takesAll.has(consumer.appData.peerId)) {
      this.watchUngated(consumer);
      return;
    }
    this.gates.set(consumer.id, { consumer, clientReady: false, flowing: false });
    consumer.observer.once('close', () => {
      this.gates.delete(consumer.id);
      this.updateLayers(consumer.producerId);
    });
  }

  /**
   * A consumer of one of the room's cameras that nobody gates (a pipe to another router or
   * node): it counts as watching while it is not paused.
   */
  watchUngated(consumer: types.Consumer): void {
    if (consumer.kind !== 'video') return;
    if (this.producers.get(consumer.producerId)?.producer.appData.source !== 'camera') return;
    this.ungated.set(consumer.id, consumer);
    const update = () => this.updateLayers(consumer.producerId);
    consumer.observer.on('pause', update);
    consumer.observer.on('resume', update);
    consumer.observer.on('layerschange', update);
    consumer.observer.once('close', () => {
      this.ungated.delete(consumer.id);
      update();
    });
    update();
  }

  /** The client is ready for a gated consumer: it flows now if the viewer selects it. */
  clientResumed(consumer: RoomConsumer): void {
    const gate = this.gates.get(consumer.id);
    if (!gate) return;
    gate.clientReady = true;
    const selected = this.selectionOf(consumer.appData.peerId);
    this.apply(gate, selected.has(consumer.appData.producerPeerId));
    this.updateLayers(consumer.producerId);
  }

  speaker(peerId: string): void {
    if (this.speakers[0] === peerId) return;
    this.speakers = [peerId, ...this.speakers.filter((p) => p !== peerId)].slice(0, 64);
    this.refresh();
  }

  setPinned(peerId: string, pinned: boolean): void {
    if (pinned === this.pinned.has(peerId)) return;
    if (pinned) this.pinned.add(peerId);
    else this.pinned.delete(peerId);
    this.refresh();
  }

  setVisible(viewer: string, peerIds: readonly string[]): void {
    this.visible.set(viewer, new Set(peerIds));
    this.refresh();
  }

  forgetPeer(peerId: string): void {
    this.takesAll.delete(peerId);
    this.pinned.delete(peerId);
    this.visible.delete(peerId);
    this.told.delete(peerId);
    this.speakers = this.speakers.filter((p) => p !== peerId);
    this.refresh();
  }

  /** `peerId` sets its media up again (its router was lost): tell it its selection anew. */
  retell(peerId: string): void {
    this.told.delete(peerId);
  }

  /** A producer came or went, or a consumer's preferred layers changed. */
  producersChanged(): void {
    this.refresh();
  }

  layersChanged(producerId: string): void {
    this.updateLayers(producerId);
  }

  /** Re-decides every viewer's cameras and tells whoever's selection changed. */
  refresh(): void {
    const selections = new Map<string, Set<string>>();
    for (const viewer of this.viewers()) {
      if (this.takesAll.has(viewer)) continue;
      const selected = this.selectionOf(viewer);
      selections.set(viewer, selected);
      const key = [...selected].sort().join(',');
      if (this.told.get(viewer) !== key) {
        this.told.set(viewer, key);
        this.emit('selection', { peerId: viewer, peerIds: [...selected] });
      }
    }
    const touched = new Set<string>();
    for (const gate of this.gates.values()) {
      const { peerId, producerPeerId } = gate.consumer.appData;
      const selected = selections.get(peerId) ?? this.selectionOf(peerId);
      if (this.apply(gate, selected.has(producerPeerId))) touched.add(gate.consumer.producerId);
    }
    for (const entry of this.producers.cameras()) touched.add(entry.producer.id);
    for (const producerId of touched) this.updateLayers(producerId);
  }

  private selectionOf(viewer: string): Set<string> {
    return selectCameraPeers({
      viewer,
      cameraPeers: this.producers.cameras().map((e) => e.peerId),
      speakers: this.speakers,
      pinned: this.pinned,
      visible: this.visible.get(viewer) ?? new Set(),
      lastN: this.lastN,
    });
  }

  /** Among the last-N plus `standbyCameras` most recent speakers. */
  private onStandby(peerId: string): boolean {
    if (this.standbyCameras === 0 || this.lastN === 'off') return false;
    const rank = this.speakers.indexOf(peerId);
    return rank >= 0 && rank < this.lastN + this.standbyCameras;
  }

  /** Returns whether the consumer's state changed. */
  private apply(gate: Gate, selected: boolean): boolean {
    const flowing = gate.clientReady && selected;
    if (gate.flowing === flowing) return false;
    gate.flowing = flowing;
    const { consumer } = gate;
    if (consumer.closed) return false;
    const failed = (err: unknown) => {
      if (!consumer.closed) this.logger.warn({ err, consumerId: consumer.id }, 'gate failed');
    };
    // Requests go out in order on the worker channel: a later pause cannot overtake a resume,
    // and the key frame request, sent with the resume rather than after its answer, reaches a
    // consumer already resumed (a paused one would drop it).
    if (flowing) {
      consumer.resume().catch(failed);
      consumer.requestKeyFrame().catch(failed);
    } else consumer.pause().catch(failed);
    return true;
  }

  /** Dynacast: tells the publisher the top layer anyone receives of its camera. */
  private updateLayers(producerId: string, lowerNow = false): void {
    if (!this.dynacast) return;
    const entry = this.producers.get(producerId);
    if (!entry || entry.producer.appData.source !== 'camera') {
      this.layersTold.delete(producerId);
      this.cancelLowering(producerId);
      return;
    }
    let max: number | null = null;
    /** A viewer is ready to receive it: a switch to it could happen. */
    let switchable = false;
    for (const gate of this.gates.values()) {
      if (gate.consumer.producerId !== producerId) continue;
      switchable ||= gate.clientReady;
      if (!gate.flowing) continue;
      const layer = gate.consumer.preferredLayers?.spatialLayer ?? topLayer;
      max = Math.max(max ?? 0, layer);
    }
    for (const consumer of this.ungated.values()) {
      if (consumer.closed || consumer.paused || consumer.producerId !== producerId) continue;
      const layer = consumer.preferredLayers?.spatialLayer ?? topLayer;
      max = Math.max(max ?? 0, layer);
    }
    // A likely next speaker keeps its lowest layer: switching to it is then a resume on the
    // server and a key frame request, both answered without its page's main thread.
    if (max === null && switchable && this.onStandby(entry.peerId)) max = 0;
    this.tell(producerId, entry.peerId, max, lowerNow);
  }

  /** Tells a publisher a raise at once, a lowering once it held for LOWER_LAYER_AFTER_MS. */
  private tell(producerId: string, peerId: string, max: number | null, lowerNow: boolean): void {
    const told = this.layersTold.get(producerId);
    if (this.layersTold.has(producerId) && told === max) {
      this.cancelLowering(producerId);
      return;
    }
    const lowers = this.layersTold.has(producerId) && (max ?? -1) < (told ?? -1);
    if (!lowers || lowerNow) {
      this.cancelLowering(producerId);
      this.layersTold.set(producerId, max);
      this.emit('layers', { peerId, producerId, maxSpatialLayer: max });
      return;
    }
    // Already waiting: the lowering is told when that wait ends, re-decided then.
    if (this.lowering.has(producerId)) return;
    const timer = setTimeout(() => {
      this.lowering.delete(producerId);
      this.updateLayers(producerId, true);
    }, LOWER_LAYER_AFTER_MS);
    timer.unref();
    this.lowering.set(producerId, timer);
  }

  private cancelLowering(producerId: string): void {
    clearTimeout(this.lowering.get(producerId));
    this.lowering.delete(producerId);
  }
}
