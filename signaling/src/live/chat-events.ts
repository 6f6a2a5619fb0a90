import { AckError } from './ack-error.js';
import type { ClassDeps, Handlers } from './live-handler.js';
import { roomChannel, teachersChannel } from './live-room.js';
import { mediaChannel } from './media-space.js';

export function chatHandlers(d: ClassDeps): Handlers<'chat:send' | 'chat:delete'> {
  return {
    'chat:send': async (socket, session, { text, to }) => {
      const { classId, room, peerId } = await d.guards.joined(session);
      const role = session.role ?? 'student';
      if (to === 'everyone' && role !== 'teacher' && !(await d.settings.get(classId)).chatEnabled) {
        throw new AckError(
          'chat_disabled',
          'The teacher turned chat off; you can still write to the teachers',
        );
      }
      const { userId, name } = session.principal;
      const message = await d.chat.send(classId, { userId, name, role }, text, to);
      // In a breakout, "everyone" is the room (and the teachers, who watch every room).
      const breakoutId = room.roomOf(peerId);
      const audience =
        to !== 'everyone'
          ? d.io.to(teachersChannel(classId)).to(socket.id)
          : breakoutId
            ? d.io.to(mediaChannel(breakoutId)).to(teachersChannel(classId))
            : d.io.to(roomChannel(classId));
      audience.emit('chat:message', message);
      return { message };
    },
    'chat:delete': async (_s, session, { messageId }) => {
      const { classId } = await d.guards.asTeacher(session);
      await d.chat.delete(classId, messageId, session.principal.userId);
      d.io.to(roomChannel(classId)).emit('chat:deleted', { messageId });
      return null;
    },
  };
}
