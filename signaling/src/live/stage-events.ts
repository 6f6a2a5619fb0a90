import type { StageState } from '@educloud/protocol';
import { AckError } from './ack-error.js';
import type { ClassDeps, Handlers, SocketSession } from './live-handler.js';
import { roomChannel } from './live-room.js';

/** Teachers present; a student only once a teacher allowed them. */
function mayPresent(session: SocketSession, state: StageState): boolean {
  return session.role === 'teacher' || state.allowedUserId === session.principal.userId;
}

export function stageHandlers(
  d: ClassDeps,
): Handlers<'stage:present' | 'stage:view' | 'stage:allowPresenter' | 'stage:get'> {
  const publish = (classId: string, state: StageState) => {
    d.io.to(roomChannel(classId)).emit('stage:updated', state);
    return state;
  };

  return {
    'stage:present': async (_s, session, { content }) => {
      const { classId } = await d.guards.joined(session);
      const { userId, name } = session.principal;
      const next = await d.stage.update(classId, (s) => {
        if (!mayPresent(session, s)) {
          throw new AckError('forbidden', 'Only a teacher, or a student they allow, can present');
        }
        const samePresenter = s.presenter?.userId === userId && s.content === content;
        return {
          ...s,
          content,
          presenter: content ? { userId, name } : null,
          view: content === 'board' && samePresenter ? s.view : null,
        };
      });
      return publish(classId, next);
    },
    'stage:view': async (_s, session, view) => {
      const { classId } = await d.guards.joined(session);
      const next = await d.stage.update(classId, (s) => {
        if (s.content !== 'board' || s.presenter?.userId !== session.principal.userId) {
          throw new AckError('forbidden', 'Only the person presenting the board moves its view');
        }
        return { ...s, view };
      });
      publish(classId, next);
      return null;
    },
    'stage:allowPresenter': async (_s, session, { userId }) => {
      const { classId } = await d.guards.asTeacher(session);
      const next = await d.stage.update(classId, (s) => {
        // The student presenting (the one allowed so far) stops when the permission moves on.
        const studentPresenting = !!s.presenter && s.presenter.userId === s.allowedUserId;
        return studentPresenting && s.presenter?.userId !== userId
          ? { ...s, allowedUserId: userId, content: null, presenter: null, view: null }
          : { ...s, allowedUserId: userId };
      });
      return publish(classId, next);
    },
    'stage:get': async (_s, session) => {
      const { classId } = await d.guards.joined(session);
      return d.stage.get(classId);
    },
  };
}
