import { describe, expect, it } from 'vitest';
import {
  followReducer,
  followsBoard,
  initialFollow,
  stageSource,
  type FollowState,
  type StageInputs,
} from './stage-follow.js';

const teacher = { userId: 't1', name: 'Teacher' };
const board = { content: 'board' as const, presenter: teacher };
const nothing = { content: null, presenter: null };

function inputs(follow: FollowState, over: Partial<StageInputs> = {}): StageInputs {
  return {
    follow,
    stage: board,
    myUserId: 's1',
    hasScreen: false,
    hasBroadcast: false,
    pinned: false,
    ...over,
  };
}

describe('following the presenter', () => {
  it('puts what is presented on stage and follows the board', () => {
    const f = followReducer(initialFollow, { type: 'stage', stage: board });
    expect(stageSource(inputs(f))).toBe('board');
    expect(followsBoard(inputs(f))).toBe(true);
  });

  it('stays on the board without following once stopped, and follows again in one step', () => {
    let f = followReducer(initialFollow, { type: 'stage', stage: board });
    f = followReducer(f, { type: 'stop' });
    expect(stageSource(inputs(f))).toBe('board');
    expect(followsBoard(inputs(f))).toBe(false);
    // A view change of the same presentation does not pull them back.
    f = followReducer(f, { type: 'stage', stage: board });
    expect(followsBoard(inputs(f))).toBe(false);
    f = followReducer(f, { type: 'follow' });
    expect(followsBoard(inputs(f))).toBe(true);
  });

  it('follows again when something new is presented', () => {
    let f = followReducer(initialFollow, { type: 'stage', stage: board });
    f = followReducer(f, { type: 'stop' });
    f = followReducer(f, { type: 'stage', stage: { content: 'notes', presenter: teacher } });
    expect(f.following).toBe(true);
    expect(stageSource(inputs(f, { stage: { content: 'notes', presenter: teacher } }))).toBe(
      'notes',
    );
  });

  it('lets a viewer pick another source, which stops following', () => {
    let f = followReducer(initialFollow, { type: 'stage', stage: board });
    f = followReducer(f, { type: 'choose', source: 'speaker' });
    expect(stageSource(inputs(f))).toBe('speaker');
    expect(followsBoard(inputs(f))).toBe(false);
  });

  it('shows the presenter their own presentation, never following themselves', () => {
    const f = followReducer(initialFollow, { type: 'stop' });
    const mine = inputs(f, { myUserId: 't1' });
    expect(stageSource(mine)).toBe('board');
    expect(followsBoard(mine)).toBe(false);
  });

  it('without a presentation: pinned tile, then a screen share, then the broadcast, then the speaker', () => {
    const f = followReducer(initialFollow, { type: 'stage', stage: nothing });
    const base = { stage: nothing };
    expect(stageSource(inputs(f, { ...base, hasScreen: true, hasBroadcast: true }))).toBe('screen');
    expect(stageSource(inputs(f, { ...base, hasBroadcast: true }))).toBe('broadcast');
    expect(stageSource(inputs(f, { ...base, hasScreen: true, pinned: true }))).toBe('speaker');
    expect(stageSource(inputs(f, base))).toBe('speaker');
  });
});
