import type { PeerInfo } from '@educloud/protocol';
import { describe, expect, it } from 'vitest';
import { JoinNews } from './join-news.js';

const peer = (peerId: string, patch: Partial<PeerInfo> = {}): PeerInfo => ({
  peerId,
  userId: `user-${peerId}`,
  name: peerId,
  role: 'student',
  handRaised: false,
  handRaisedAt: null,
  forcedMute: false,
  ...patch,
});

const ids = (peers: PeerInfo[]) => peers.map((p) => p.peerId).sort();

describe('JoinNews', () => {
  it('keeps a peer who joined while the join was answered (absent from its list)', () => {
    const news = new JoinNews();
    news.joined(peer('late'));
    expect(ids(news.peersAfter({ peerId: 'me', peers: [peer('early')] }))).toEqual([
      'early',
      'late',
    ]);
  });

  it('drops a peer of the list who left meanwhile, even one who joined and left', () => {
    const news = new JoinNews();
    news.left('gone');
    news.joined(peer('brief'));
    news.left('brief');
    news.updated(peer('brief', { handRaised: true })); // a late update must not bring them back
    expect(ids(news.peersAfter({ peerId: 'me', peers: [peer('gone'), peer('stays')] }))).toEqual([
      'stays',
    ]);
  });

  it('applies changes made meanwhile, and never lists oneself', () => {
    const news = new JoinNews();
    news.updated(peer('hand', { handRaised: true }));
    news.updated(peer('me', { handRaised: true }));
    news.updated(peer('stranger')); // not in the class as the answer has it, not announced
    const after = news.peersAfter({ peerId: 'me', peers: [peer('hand')] });
    expect(after).toEqual([peer('hand', { handRaised: true })]);
  });

  it('leaves the list as it is when nothing happened', () => {
    const list = [peer('a'), peer('b')];
    expect(new JoinNews().peersAfter({ peerId: 'me', peers: list })).toEqual(list);
  });
});
