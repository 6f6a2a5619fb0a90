import { useEffect, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../api/api-client.js';
import { refreshDelayMs } from '../api/refresh-timing.js';
import { SESSION_KEY } from '../api/session-store.js';
import { ApiContext, SessionStateContext } from './session-context.js';

const RETRY_AFTER_FAILURE_MS = 30_000;

/** Exposes the API client and its session, and keeps the access token fresh in the background. */
export function SessionProvider({ api, children }: { api: ApiClient; children: ReactNode }) {
  const state = useSyncExternalStore(api.subscribe, api.getState);
  const session = state.session;

  useEffect(() => {
    if (!session) return;
    let timer: ReturnType<typeof setTimeout>;
    const schedule = (delay: number) => {
      timer = setTimeout(() => {
        // Success replaces the session, which re-runs this effect; a transient failure retries.
        api.refreshSession().catch(() => schedule(RETRY_AFTER_FAILURE_MS));
      }, delay);
    };
    schedule(refreshDelayMs(session.accessExpiresLocalMs, Date.now()));
    return () => clearTimeout(timer);
  }, [api, session]);

  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === SESSION_KEY || e.key === null) api.reloadFromStorage();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [api]);

  return (
    <ApiContext.Provider value={api}>
      <SessionStateContext.Provider value={state}>{children}</SessionStateContext.Provider>
    </ApiContext.Provider>
  );
}
