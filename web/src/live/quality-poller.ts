import type { types as ms } from 'mediasoup-client';
import type { SignalingClient } from './signaling-client.js';

const POLL_MS = 2000;

interface RtcCounters {
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
    for (const [peerId, consumers] of this.sources.peerConsumers()) {
      let worst: number | null = null;
      for (const c of consumers) {
        // Consumers close while we wait on the others' stats (the peer left, we moved
        // rooms); getStats() on a closed one rejects with "closed".
        const report = c.closed ? null : await c.getStats().catch(() => null);
        if (!report) continue;
        const q = qualityFrom(report, this.last.get(c));
        this.last.set(c, q.counters);
        if (q.score !== null) worst = worst === null ? q.score : Math.min(worst, q.score);
      }
      peers.set(peerId, worst);
    }
    this.onReport({ send, peers });
  }
}

/**
 * 10 is clean; each percent of packets lost in the last interval costs a point. Null when
 * nothing is known: the first reading, or no packet (received or lost) since the last one.
 */
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
  // Nothing came (a muted microphone, a camera last-N holds back): that says nothing of loss,
  // and must not show "Poor connection" on the tile.
  if (dReceived + dLost === 0) return { score: null, counters };
  const lossPct = (100 * dLost) / (dReceived + dLost);
  return { score: Math.max(0, Math.round(10 - lossPct)), counters };
}
