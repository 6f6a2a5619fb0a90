import { useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { BroadcastFeedContext } from '../broadcast/broadcast-feed.js';
import { LiveSession, type LiveSnapshot } from './live-session.js';

declare global {
  interface Window {
    /** The current live session, for diagnostics and the end-to-end tests. */
    educloudLive?: LiveSession;
  }
}

/** Opens a LiveSession for the lifetime of the component and renders its snapshots. */
export function useLiveSession(
  classId: string,
  getToken: () => Promise<string | null>,
  initial: Partial<Record<'camera' | 'mic', MediaStreamTrack>>,
  viewer: { id: string; name: string } | null,
): { session: LiveSession; state: LiveSnapshot } {
  const feed = useContext(BroadcastFeedContext);
  const [session] = useState(() => {
    const s = new LiveSession(classId, getToken, initial, (status) => feed?.push(status));
    s.setViewer(viewer);
    return s;
  });
  useEffect(() => {
    session.start();
    window.educloudLive = session;
    return () => {
      void session.leave();
      if (window.educloudLive === session) delete window.educloudLive;
    };
  }, [session]);
  const state = useSyncExternalStore(session.subscribe, session.snapshot);
  // While joined, the room's socket tells the page's broadcast widgets about the broadcast.
  const joined = state.status === 'joined';
  useEffect(() => (joined && feed ? feed.attach() : undefined), [joined, feed]);
  return { session, state };
}
