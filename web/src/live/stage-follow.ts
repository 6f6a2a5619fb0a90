import type { StageContent, StageState } from '@educloud/protocol';

/** What can fill the stage. */
export type StageSource = StageContent | 'screen' | 'broadcast' | 'speaker';

/** The viewer's own choice: follow what is presented, or look at something else. */
export interface FollowState {
  following: boolean;
  /** What the viewer picked; 'auto' lets the room decide (screen, broadcast, speaker). */
  choice: StageSource | 'auto';
  /** The presentation the viewer last reacted to: a new one brings them back to following. */
  seen: { content: StageContent | null; presenter: string | null };
}

export type FollowAction =
  | { type: 'stage'; stage: Pick<StageState, 'content' | 'presenter'> }
  | { type: 'stop' }
  | { type: 'follow' }
  | { type: 'choose'; source: StageSource | 'auto' };

export const initialFollow: FollowState = {
  following: true,
  choice: 'auto',
  seen: { content: null, presenter: null },
};

/**
 * Following the presenter: on by default and whenever something new is presented; stopping
 * keeps the viewer on the presented content (where they are), choosing another source stops too.
 */
export function followReducer(state: FollowState, action: FollowAction): FollowState {
  switch (action.type) {
    case 'stage': {
      const seen = {
        content: action.stage.content,
        presenter: action.stage.presenter?.userId ?? null,
      };
      if (seen.content === state.seen.content && seen.presenter === state.seen.presenter) {
        return state;
      }
      return seen.content
        ? { following: true, choice: state.choice, seen }
        : { ...state, following: true, seen };
    }
    case 'stop':
      return {
        ...state,
        following: false,
        choice: state.seen.content ?? state.choice,
      };
    case 'follow':
      return { ...state, following: true, choice: 'auto' };
    case 'choose':
      return {
        ...state,
        choice: action.source,
        following: state.seen.content !== null && action.source === state.seen.content,
      };
  }
}

export interface StageInputs {
  follow: FollowState;
  stage: Pick<StageState, 'content' | 'presenter'>;
  myUserId: string | null;
  hasScreen: boolean;
  hasBroadcast: boolean;
  pinned: boolean;
}

/** What this viewer's stage shows now. */
export function stageSource(i: StageInputs): StageSource {
  const presented = i.stage.content;
  if (presented && (i.follow.following || i.stage.presenter?.userId === i.myUserId)) {
    return presented;
  }
  if (i.follow.choice !== 'auto') return i.follow.choice;
  if (i.pinned) return 'speaker';
  if (i.hasScreen) return 'screen';
  if (i.hasBroadcast) return 'broadcast';
  return 'speaker';
}

/** Whether this viewer's board moves with the presenter's page and viewport. */
export function followsBoard(i: StageInputs): boolean {
  return (
    i.stage.content === 'board' &&
    i.follow.following &&
    i.stage.presenter !== null &&
    i.stage.presenter.userId !== i.myUserId
  );
}
