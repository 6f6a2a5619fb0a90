import type {
  BreakoutState,
  ChatMessage,
  PollInfo,
  StageState,
  StageView,
  TimelineEvent,
} from '@educloud/protocol';
import type { LiveActivity } from '@educloud/signaling';

/** The timeline event a live-class activity becomes, if a replay shows it. */
export function activityToTimeline(a: LiveActivity, at: number): TimelineEvent | null {
  switch (a.event) {
    case 'class:join': {
      const peerId = (a.result as { peerId?: string } | null)?.peerId ?? a.peerId;
      return { type: 'join', at, peerId, name: a.name };
    }
    case 'class:leave':
    case 'peer:left':
      return { type: 'leave', at, peerId: a.peerId };
    case 'chat:send': {
      const { message } = a.result as { message: ChatMessage };
      // Private messages to the teachers stay out of a replay anyone in the class can watch.
      if ((a.payload as { to?: string }).to !== 'everyone') return null;
      return {
        type: 'chat',
        at,
        messageId: message.id,
        from: message.senderName,
        text: message.text,
      };
    }
    case 'hand:set':
      return {
        type: 'hand',
        at,
        peerId: a.peerId,
        raised: (a.payload as { raised: boolean }).raised,
      };
    // Allowing another student may take a presenting student's content down.
    case 'stage:present':
    case 'stage:allowPresenter':
      return { type: 'stage', at, content: (a.result as StageState).content };
    // The presenter's view of the board: the timeline keeps its page (see ClassRecordings).
    case 'stage:view':
      return { type: 'page', at, pageId: (a.payload as StageView).pageId };
    case 'poll:create': {
      const { poll } = a.result as { poll: PollInfo };
      return { type: 'poll', at, pollId: poll.id, state: 'opened', question: poll.question };
    }
    case 'poll:close': {
      const { pollId } = a.payload as { pollId: string };
      return { type: 'poll', at, pollId, state: 'closed', question: '' };
    }
    case 'breakout:open': {
      const state = a.result as BreakoutState;
      return { type: 'breakout', at, action: 'opened', rooms: state.rooms, endsAt: state.endsAt };
    }
    case 'breakout:move': {
      const { userId, roomId } = a.payload as { userId: string; roomId: string | null };
      return { type: 'breakout', at, action: 'moved', userId, roomId };
    }
    case 'breakout:extend':
      return {
        type: 'breakout',
        at,
        action: 'extended',
        endsAt: (a.result as { endsAt: number }).endsAt,
      };
    case 'breakout:closeAll':
      // "Close in N seconds" closes them on the clock: 'breakout:timeUp' marks that moment.
      if ((a.payload as { afterSeconds?: number }).afterSeconds !== undefined) return null;
      return { type: 'breakout', at, action: 'closed' };
    case 'breakout:timeUp':
      return { type: 'breakout', at, action: 'closed' };
    default:
      return null;
  }
}
