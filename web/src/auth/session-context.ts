import { createContext, useContext } from 'react';
import type { User } from '@educloud/protocol';
import type { ApiClient, SessionState } from '../api/api-client.js';

export const ApiContext = createContext<ApiClient | null>(null);
export const SessionStateContext = createContext<SessionState | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi must be used inside <SessionProvider>');
  return api;
}

export interface SessionView extends SessionState {
  /** The account user, else the guest user, else null. */
  user: User | null;
  isGuest: boolean;
  /** The class a guest session is valid for. */
  guestClassId: string | null;
}

export function useSession(): SessionView {
  const state = useContext(SessionStateContext);
  if (!state) throw new Error('useSession must be used inside <SessionProvider>');
  const account = state.session?.response.user ?? null;
  const guest = account ? null : (state.guest?.response ?? null);
  return {
    ...state,
    user: account ?? guest?.user ?? null,
    isGuest: !account && !!guest,
    guestClassId: guest?.classId ?? null,
  };
}
