import type { ClassDeps, Handlers } from '../live-handler.js';

type BreakoutEvent =
  | 'breakout:open'
  | 'breakout:move'
  | 'breakout:extend'
  | 'breakout:closeAll'
  | 'breakout:speakToAll:start'
  | 'breakout:speakToAll:stop'
  | 'breakout:messageAll';

/** Breakout events: the teachers run them; a student may only choose their own room. */
export function breakoutHandlers(d: ClassDeps): Handlers<BreakoutEvent> {
  return {
    'breakout:open': async (_s, session, request) => {
      const { room } = await d.guards.asTeacher(session);
      return d.breakouts.open(room, request);
    },
    'breakout:move': async (_s, session, { userId, roomId }) => {
      const { room } = await d.guards.joined(session);
      const actor = { userId: session.principal.userId, role: session.role ?? 'student' };
      await d.breakouts.move(room, actor, userId, roomId);
      return null;
    },
    'breakout:extend': async (_s, session, { seconds }) => {
      const { room } = await d.guards.asTeacher(session);
      return { endsAt: await d.breakouts.extend(room, seconds) };
    },
    'breakout:closeAll': async (_s, session, { afterSeconds }) => {
      const { room } = await d.guards.asTeacher(session);
      if (afterSeconds !== undefined) await d.breakouts.closeIn(room, afterSeconds);
      else await d.breakouts.closeAll(room, 'closed by a teacher');
      return null;
    },
    'breakout:speakToAll:start': async (_s, session) => {
      const { room, peerId } = await d.guards.asTeacher(session);
      await d.breakouts.startSpeaking(room, peerId);
      return null;
    },
    'breakout:speakToAll:stop': async (_s, session) => {
      const { room, peerId } = await d.guards.asTeacher(session);
      d.breakouts.stopSpeaking(room, peerId);
      return null;
    },
    'breakout:messageAll': async (_s, session, { text }) => {
      const { classId } = await d.guards.asTeacher(session);
      d.breakouts.message(classId, text, session.principal.name);
      return null;
    },
  };
}
