import type { types as ms } from 'mediasoup-client';
import { afterEach, expect, it, vi } from 'vitest';
import { QualityPoller, qualityFrom, type QualityReport } from './quality-poller.js';
import type { SignalingClient } from './signaling-client.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A consumer as the poller sees it: its track's id names it in the transport's stats. */
function fakeConsumer(trackId: string) {
  return { closed: false, track: { id: trackId }, getStats: vi.fn() };
}

/** The receive transport's stats: packets received and lost per track. */
function report(tracks: Record<string, [received: number, lost: number]>): RTCStatsReport {
  return new Map(
    Object.entries(tracks).map(([trackIdentifier, [packetsReceived, packetsLost]]) => [
      trackIdentifier,
      { type: 'inbound-rtp', trackIdentifier, packetsReceived, packetsLost },
    ]),
  ) as unknown as RTCStatsReport;
}

it('scores each peer by its worst track, from one stats read per round', async () => {
  vi.useFakeTimers();
  const [cam, mic, other, gone] = ['cam', 'mic', 'other', 'gone'].map(fakeConsumer);
  gone!.closed = true;
  const rounds = [
    report({ cam: [100, 0], mic: [100, 0], other: [100, 0], gone: [100, 0] }),
    // The mate's microphone loses 1 packet in 100; the other's track received nothing (muted).
    report({ cam: [200, 0], mic: [199, 1], other: [100, 0], gone: [200, 0] }),
  ];
  const receiveStats = vi.fn(async () => rounds.shift() ?? null);
  const reports: QualityReport[] = [];
  const poller = new QualityPoller(
    { request: async () => null } as unknown as SignalingClient,
    {
      joined: () => true,
      sendTransportId: () => null,
      peerConsumers: () =>
        [
          ['mate', [cam, mic, gone]],
          ['other', [other]],
        ] as unknown as [string, ms.Consumer[]][],
      receiveStats,
    },
    (r) => reports.push(r),
  );
  poller.start();
  await vi.advanceTimersByTimeAsync(4_000);
  poller.stop();
  expect(receiveStats).toHaveBeenCalledTimes(2);
  for (const c of [cam, mic, other, gone]) expect(c!.getStats).not.toHaveBeenCalled();
  expect(reports.map((r) => [...r.peers])).toEqual([
    [
      ['mate', null],
      ['other', null],
    ],
    [
      ['mate', 9],
      ['other', null],
    ],
  ]);
});

it('scores loss only from packets that came: a paused track is unknown, not poor', () => {
  expect(qualityFrom({ received: 100, lost: 0 }, undefined)).toBeNull();
  expect(qualityFrom({ received: 195, lost: 5 }, { received: 100, lost: 0 })).toBe(5);
  // Muted, or held back by last-N: nothing since.
  expect(qualityFrom({ received: 195, lost: 5 }, { received: 195, lost: 5 })).toBeNull();
});
