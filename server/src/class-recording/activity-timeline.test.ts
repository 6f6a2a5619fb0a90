import { describe, expect, it } from 'vitest';
import { timelineEventSchema } from '@educloud/protocol';
import type { LiveActivity } from '@educloud/signaling';
import { activityToTimeline } from './activity-timeline.js';

const base = { classId: 'c1', peerId: 'p1', name: 'Teacher' };
const act = (event: string, payload: unknown, result: unknown): LiveActivity => ({
  ...base,
  event,
  payload,
  result,
});

describe('activityToTimeline', () => {
  it('keeps breakouts opening, moves, extensions and closing on the timeline', () => {
    const rooms = [
      { id: 'r1', name: 'Room 1' },
      { id: 'r2', name: 'Room 2' },
    ];
    const events = [
      act(
        'breakout:open',
        { count: 2, assignment: 'random', durationSeconds: 300 },
        { rooms, assignment: 'random', endsAt: 5000, placement: {}, speakToAll: null },
      ),
      act('breakout:move', { userId: 'u2', roomId: 'r2' }, null),
      act('breakout:move', { userId: 'u2', roomId: null }, null),
      act('breakout:extend', { seconds: 60 }, { endsAt: 65_000 }),
      act('breakout:closeAll', {}, null),
    ].map((a, i) => activityToTimeline(a, 1000 + i));
    expect(events).toEqual([
      { type: 'breakout', at: 1000, action: 'opened', rooms, endsAt: 5000 },
      { type: 'breakout', at: 1001, action: 'moved', userId: 'u2', roomId: 'r2' },
      { type: 'breakout', at: 1002, action: 'moved', userId: 'u2', roomId: null },
      { type: 'breakout', at: 1003, action: 'extended', endsAt: 65_000 },
      { type: 'breakout', at: 1004, action: 'closed' },
    ]);
    // Each is a valid timeline line (the replay reads them back through this schema).
    for (const e of events) expect(timelineEventSchema.safeParse(e).success).toBe(true);
  });

  it('marks breakouts closed by their clock when it runs out, not when a countdown is asked', () => {
    expect(activityToTimeline(act('breakout:closeAll', { afterSeconds: 30 }, null), 9)).toBeNull();
    expect(activityToTimeline(act('breakout:timeUp', null, null), 10)).toEqual({
      type: 'breakout',
      at: 10,
      action: 'closed',
    });
  });

  it('keeps hands and polls, and leaves private chat out', () => {
    expect(activityToTimeline(act('hand:set', { raised: true }, null), 5)).toEqual({
      type: 'hand',
      at: 5,
      peerId: 'p1',
      raised: true,
    });
    expect(
      activityToTimeline(act('poll:create', {}, { poll: { id: 'q1', question: 'Why?' } }), 6),
    ).toMatchObject({ type: 'poll', pollId: 'q1', state: 'opened', question: 'Why?' });
    expect(
      activityToTimeline(
        act('chat:send', { to: 'teachers', text: 'psst' }, { message: { id: 'm1' } }),
        7,
      ),
    ).toBeNull();
  });

  it('keeps what is put on stage and taken down, and the page presented (the export shows them)', () => {
    const stage = (content: 'board' | 'notes' | null) => ({
      version: 1,
      content,
      presenter: content ? { userId: 'u1', name: 'Teacher' } : null,
      view: null,
      allowedUserId: null,
    });
    const events = [
      act('stage:present', { content: 'board' }, stage('board')),
      act('stage:view', { pageId: 'page:1', x: 0, y: 0, w: 10, h: 10 }, null),
      act('stage:present', { content: null }, stage(null)),
      act('stage:allowPresenter', { userId: 'u2' }, stage(null)),
    ].map((a, i) => activityToTimeline(a, 1000 + i));
    expect(events).toEqual([
      { type: 'stage', at: 1000, content: 'board' },
      // The presenter's view moves often: its page is kept (ClassRecordings drops repeats).
      { type: 'page', at: 1001, pageId: 'page:1' },
      { type: 'stage', at: 1002, content: null },
      { type: 'stage', at: 1003, content: null },
    ]);
    for (const e of events.filter((x) => x !== null)) {
      expect(timelineEventSchema.safeParse(e).success).toBe(true);
    }
  });
});
