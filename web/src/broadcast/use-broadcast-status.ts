import { useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { BroadcastStatusResponse } from '@educloud/protocol';
import { useApi } from '../auth/session-context.js';
import { getBroadcastStatus } from './broadcast-api.js';
import { BroadcastFeedContext } from './broadcast-feed.js';

const POLL_MS = 5000;
const noSubscription = () => () => undefined;

/**
 * The class's OBS broadcast state. While this page's live room is joined, the room's socket
 * says when the broadcast starts or stops (`broadcast:status`) and the status is fetched then;
 * a running broadcast is still refreshed every few seconds for its bitrate figure. Without a
 * joined live room (the watch page, the class page before joining) it is polled: one small GET.
 * `refresh()` asks at once (for example when a playback link expired).
 */
export function useBroadcastStatus(classId: string) {
  const api = useApi();
  const feed = useContext(BroadcastFeedContext);
  const attached = useSyncExternalStore(
    feed?.subscribeAttached ?? noSubscription,
    () => feed?.attached ?? false,
  );
  const [status, setStatus] = useState<BroadcastStatusResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchStatus = async () => {
      clearTimeout(timer);
      let live = false;
      try {
        const next = await getBroadcastStatus(api, classId);
        if (!active) return;
        live = next.live;
        setError(null);
        // Keep the previous object (and its hlsUrl) while the same broadcast goes on, so the
        // player is not reloaded by each newly signed link.
        setStatus((prev) =>
          prev && prev.live && next.live && prev.recordingId === next.recordingId
            ? { ...prev, ingestBitrateBps: next.ingestBitrateBps }
            : next,
        );
      } catch (err) {
        if (active) setError(err);
      }
      if (active && (!attached || live)) timer = setTimeout(() => void fetchStatus(), POLL_MS);
    };
    void fetchStatus();
    const unsubscribe = attached && feed ? feed.subscribe(() => void fetchStatus()) : undefined;
    return () => {
      active = false;
      clearTimeout(timer);
      unsubscribe?.();
    };
  }, [api, classId, tick, attached, feed]);

  return {
    status,
    error,
    refresh: () => {
      setStatus(null);
      setTick((t) => t + 1);
    },
  };
}
