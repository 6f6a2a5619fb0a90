import type { PeerInfo } from '@educloud/protocol';
import { describe, expect, it } from 'vitest';
import { handQueue } from './hand-queue.js';

const peer = (peerId: string, handRaisedAt: number | null): PeerInfo => ({
  peerId,
  userId: `u-${peerId}`,
  name: peerId,
  role: 'student',
  handRaised: handRaisedAt !== null,
  handRaisedAt,
  forcedMute: false,
});

describe('handQueue', () => {
  it('numbers raised hands in the order they went up, whatever the list order', () => {
    const q = handQueue([peer('c', 300), peer('a', null), peer('b', 100), peer('d', 200)]);
    expect([...q.entries()]).toEqual([
      ['b', 1],
      ['d', 2],
      ['c', 3],
    ]);
    expect(q.has('a')).toBe(false);
  });
});
