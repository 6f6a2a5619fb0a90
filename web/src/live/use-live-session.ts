import { useEffect, useState, useSyncExternalStore } from 'react';
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
): { session: LiveSession; state: LiveSnapshot } {
  const [session] = useState(() => new LiveSession(classId, getToken, initial));
  useEffect(() => {
    session.start();
    window.educloudLive = session;
    return () => {
      void session.leave();
      if (window.educloudLive === session) delete window.educloudLive;
    };
  }, [session]);
  const state = useSyncExternalStore(session.subscribe, session.snapshot);
  return { session, state };
}
