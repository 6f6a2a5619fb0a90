import type { RemotePeer } from './live-session.js';

/**
 * The microphones this page plays (by consumer id): every one with no limit, else the
 * teachers' and those of the `limit` most recent active speakers (the server's dominant
 * speaker is the loudest voice). A microphone not played has no <audio> element, and Chromium
 * decodes nothing for it.
 */
export function micsPlayed(
  peers: readonly RemotePeer[],
  recentSpeakers: readonly string[],
  limit: number,
): Set<string> {
  const mics = (peer: RemotePeer) =>
    peer.tracks.filter((t) => t.kind === 'audio').map((t) => t.consumerId);
  if (limit <= 0) return new Set(peers.flatMap(mics));
  const loudest = new Set(recentSpeakers.slice(0, limit));
  return new Set(
    peers.filter((p) => p.info.role === 'teacher' || loudest.has(p.info.peerId)).flatMap(mics),
  );
}
