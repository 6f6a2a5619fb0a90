import type { PeerInfo } from '@educloud/protocol';

/**
 * Who joined, changed or left while a class:join was being answered. The server answers with
 * the class as it was when the join was taken, then awaits more work before the answer leaves;
 * what happens meanwhile reaches the socket first (peer:joined, peer:updated, peer:left), and
 * must not be lost when the answer's list replaces the roster.
 */
export class JoinNews {
  /** null: left. `joined`: announced as new, so absent from the answer's list. */
  private readonly news = new Map<string, { info: PeerInfo; joined: boolean } | null>();

  joined(info: PeerInfo): void {
    this.news.set(info.peerId, { info, joined: true });
  }

  updated(info: PeerInfo): void {
    const before = this.news.get(info.peerId);
    if (before !== null) this.news.set(info.peerId, { info, joined: before?.joined ?? false });
  }

  left(peerId: string): void {
    this.news.set(peerId, null);
  }

  /** The others in the class: the answer's list, brought up to date. */
  peersAfter(answer: { peerId: string; peers: PeerInfo[] }): PeerInfo[] {
    const peers = new Map<string, PeerInfo>();
    for (const info of answer.peers) {
      const changed = this.news.get(info.peerId);
      if (changed !== null) peers.set(info.peerId, changed?.info ?? info);
    }
    for (const [peerId, changed] of this.news) {
      if (changed?.joined && peerId !== answer.peerId && !peers.has(peerId)) {
        peers.set(peerId, changed.info);
      }
    }
    return [...peers.values()];
  }
}
