import type { types as ms } from 'mediasoup-client';
import { afterEach, expect, it, vi } from 'vitest';
import { QualityPoller, qualityFrom, type QualityReport } from './quality-poller.js';
import type { SignalingClient } from './signaling-client.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A consumer as mediasoup-client has it: getStats() rejects with "closed" once closed. */
function fakeConsumer(onStats?: () => void) {
  const consumer = {
    closed: false,
    getStats: vi.fn(async () => {
      if (consumer.closed) throw new Error('closed');
      onStats?.();
      return new Map([['in', { type: 'inbound-rtp', packetsReceived: 10, packetsLost: 0 }]]);
    }),
  };
  return consumer;
}

it('measures the peers still there when a consumer closes during a round (a move between rooms)', async () => {
  vi.useFakeTimers();
  const second = fakeConsumer();
  // The move closes the second consumer while the first one's stats are awaited.
  const first = fakeConsumer(() => (second.closed = true));
  const reports: QualityReport[] = [];
  const poller = new QualityPoller(
    { request: async () => null } as unknown as SignalingClient,
    {
      joined: () => true,
      sendTransportId: () => null,
      peerConsumers: () => [['mate', [first, second] as unknown as ms.Consumer[]]],
    },
    (report) => reports.push(report),
  );
  poller.start();
  await vi.advanceTimersByTimeAsync(2_000);
  poller.stop();
  expect(reports).toHaveLength(1);
  expect(second.getStats).not.toHaveBeenCalled();
  expect([...reports[0]!.peers]).toEqual([['mate', null]]);
});

it('scores loss only from packets that came: a paused track is unknown, not poor', () => {
  const inbound = (packetsReceived: number, packetsLost: number) =>
    new Map([
      ['in', { type: 'inbound-rtp', packetsReceived, packetsLost }],
    ]) as unknown as RTCStatsReport;
  const first = qualityFrom(inbound(100, 0), undefined);
  expect(first.score).toBeNull();
  const lossy = qualityFrom(inbound(195, 5), first.counters);
  expect(lossy.score).toBe(5);
  // Muted, or held back by last-N: nothing since.
  expect(qualityFrom(inbound(195, 5), lossy.counters).score).toBeNull();
});
