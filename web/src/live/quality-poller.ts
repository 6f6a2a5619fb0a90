import type { types as ms } from 'mediasoup-client';
import type { SignalingClient } from './signaling-client.js';

const POLL_MS = 2000;

export interface RtcCounters {
  received: number;
  lost: number;
}

/** What the poller reads from the session on each round. */
export interface QualitySources {
  /** Only measured while joined. */
  joined(): boolean;
  /** The send transport, when this browser is sending something. */
  sendTransportId(): string | null;
  /** Per remote peer, the consumers of its unpaused tracks. */
  peerConsumers(): Iterable<[peerId: string, consumers: ms.Consumer[]]>;
  /** Everything received, in one read of the receive transport's stats. */
  receiveStats(): Promise<RTCStatsReport | null>;
}

export interface QualityReport {
  /** 0-10 for what this browser sends, from the server's view; null if not measured. */
  send: number | null | undefined;
  /** 0-10 per remote peer from what this browser receives; null until measured. */
  peers: Map<string, number | null>;
}

/**
 * Every two seconds: the server's score of our send transport, and for each remote peer the
 * worst packet loss among the tracks we receive from it.
 */
export class QualityPoller {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly last = new WeakMap<ms.Consumer, RtcCounters>();

  constructor(
    private readonly signaling: SignalingClient,
    private readonly sources: QualitySources,
    private readonly onReport: (report: QualityReport) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.measure(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async measure(): Promise<void> {
    if (!this.sources.joined()) return;
    let send: number | null | undefined;
    const transportId = this.sources.sendTransportId();
    if (transportId) {
      const stats = await this.signaling
        .request('transport:stats', { transportId })
        .catch(() => null);
      if (stats) send = stats.score;
    }
    const peers = new Map<string, number | null>();
    // One stats read for every track: a read per consumer costs a starved page one full
    // collection each, ten of them every two seconds in a class.
    const counters = receivedCounters(await this.sources.receiveStats());
    for (const [peerId, consumers] of this.sources.peerConsumers()) {
      let worst: number | null = null;
      for (const c of consumers) {
        const now = c.closed ? undefined : counters.get(c.track.id);
        if (!now) continue;
        const score = qualityFrom(now, this.last.get(c));
        this.last.set(c, now);
        if (score !== null) worst = worst === null ? score : Math.min(worst, score);
      }
      peers.set(peerId, worst);
    }
    this.onReport({ send, peers });
  }
}

/** Packets received and lost per received track (by its track id), from one stats report. */
export function receivedCounters(report: RTCStatsReport | null): Map<string, RtcCounters> {
  const out = new Map<string, RtcCounters>();
  report?.forEach(
    (r: {
      type: string;
      trackIdentifier?: string;
      packetsReceived?: number;
      packetsLost?: number;
    }) => {
      if (r.type !== 'inbound-rtp' || !r.trackIdentifier) return;
      out.set(r.trackIdentifier, { received: r.packetsReceived ?? 0, lost: r.packetsLost ?? 0 });
    },
  );
  return out;
}

/**
 * 10 is clean; each percent of packets lost since the last reading costs a point. Null when
 * nothing is known: the first reading, or no packet (received or lost) since the last one.
 */
export function qualityFrom(now: RtcCounters, last: RtcCounters | undefined): number | null {
  if (!last) return null;
  const dReceived = now.received - last.received;
  const dLost = Math.max(0, now.lost - last.lost);
  // Nothing came (a muted microphone, a camera last-N holds back): that says nothing of loss,
  // and must not show "Poor connection" on the tile.
  if (dReceived + dLost === 0) return null;
  const lossPct = (100 * dLost) / (dReceived + dLost);
  return Math.max(0, Math.round(10 - lossPct));
}
