import { useCallback, useEffect, useReducer, useState, useSyncExternalStore } from 'react';
import type { StageContent, StageState, StageView } from '@educloud/protocol';
import type { LiveSession } from './live-session.js';
import { StageClient } from './stage-client.js';
import {
  followReducer,
  initialFollow,
  type FollowAction,
  type FollowState,
} from './stage-follow.js';

export interface StageControls {
  stage: StageState;
  follow: FollowState;
  dispatch: (a: FollowAction) => void;
  present: (content: StageContent | null) => Promise<void>;
  allowPresenter: (userId: string | null) => Promise<void>;
  sendView: (view: StageView) => void;
}

/** The class's stage (from the server) and this viewer's following of it. */
export function useStage(session: LiveSession, onError: (message: string) => void): StageControls {
  const [client] = useState(() => new StageClient(session));
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const stage = useSyncExternalStore(client.subscribe, client.snapshot);
  const [follow, dispatch] = useReducer(followReducer, initialFollow);
  useEffect(() => {
    dispatch({ type: 'stage', stage });
  }, [stage]);
  const report = useCallback(
    (err: unknown) => onError(err instanceof Error ? err.message : String(err)),
    [onError],
  );
  const present = useCallback(
    (content: StageContent | null) => client.present(content).catch(report),
    [client, report],
  );
  const allowPresenter = useCallback(
    (userId: string | null) => client.allowPresenter(userId).catch(report),
    [client, report],
  );
  // Views go out often; a refused one (presenting just ended) needs no message.
  const sendView = useCallback(
    (view: StageView) => void client.sendView(view).catch(() => undefined),
    [client],
  );
  return { stage, follow, dispatch, present, allowPresenter, sendView };
}
