import type { PeerInfo } from '@educloud/protocol';

/** Peer id -> place in the raised-hand queue (1 = first up), in the order hands went up. */
export function handQueue(peers: PeerInfo[]): Map<string, number> {
  const up = peers
    .filter((p) => p.handRaised && p.handRaisedAt !== null)
    .sort((a, b) => a.handRaisedAt! - b.handRaisedAt!);
  return new Map(up.map((p, i) => [p.peerId, i + 1]));
}
