import { useContext, useEffect, useSyncExternalStore } from 'react';
import { BroadcastFeedContext } from '../broadcast/broadcast-feed.js';
import { LiveSession, type LiveSnapshot } from './live-session.js';
import type { JoinAhead } from './join-ahead.js';

declare global {
  interface Window {
    /** The current live session, for diagnostics and the end-to-end tests. */
    educloudLive?: LiveSession;
  }
}

/**
 * A LiveSession for a click on "Join", started at once: its socket, join and media setup run
 * while React renders the room (a heavy first render), instead of after it.
 */
export function openLiveSession(
  classId: string,
  getToken: () => Promise<string | null>,
  initial: Partial<Record<'camera' | 'mic', MediaStreamTrack>>,
  viewer: { id: string; name: string } | null,
  onBroadcastStatus?: ConstructorParameters<typeof LiveSession>[3],
  ahead?: JoinAhead,
): LiveSession {
  const session = new LiveSession(classId, getToken, initial, onBroadcastStatus, ahead);
  session.setViewer(viewer);
  session.start();
  return session;
}

/** Renders the snapshots of a session for the lifetime of the component, and leaves at the end. */
export function useLiveSession(session: LiveSession): {
  session: LiveSession;
  state: LiveSnapshot;
} {
  const feed = useContext(BroadcastFeedContext);
  useEffect(() => {
    // Started already when opened; again after React's development remount left it.
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
