import { useEffect, useState } from 'react';
import type { BroadcastStatusResponse } from '@educloud/protocol';
import { useApi } from '../auth/session-context.js';
import { getBroadcastStatus } from './broadcast-api.js';

const POLL_MS = 5000;

/**
 * The class's OBS broadcast state, polled: cheap (one small GET), and it works on pages that
 * hold no live-room socket. `refresh()` asks at once (for example when a playback link expired).
 */
export function useBroadcastStatus(classId: string) {
  const api = useApi();
  const [status, setStatus] = useState<BroadcastStatusResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await getBroadcastStatus(api, classId);
        if (!active) return;
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
      if (active) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [api, classId, tick]);

  return {
    status,
    error,
    refresh: () => {
      setStatus(null);
      setTick((t) => t + 1);
    },
  };
}
