import type { ClassDeps, Handlers } from './live-handler.js';
import { AckError } from './ack-error.js';
import { roomChannel } from './live-room.js';

/** Teachers start and stop recording the class; everyone in it is told. */
export function recordingHandlers(d: ClassDeps): Handlers<'recording:start' | 'recording:stop'> {
  const control = () => {
    if (!d.recording)
      throw new AckError('unavailable', 'Recording is not available on this server');
    return d.recording;
  };
  return {
    'recording:start': async (_s, session) => {
      const { classId, room } = await d.guards.asTeacher(session);
      const { userId, name } = session.principal;
      const participants = room.allPeers().map((p) => ({ peerId: p.peerId, name: p.name }));
      const status = await control().start(classId, { userId, name }, participants);
      d.io.to(roomChannel(classId)).emit('recording:status', status);
      return status;
    },
    'recording:stop': async (_s, session) => {
      const { classId } = await d.guards.asTeacher(session);
      const status = await control().stop(classId);
      d.io.to(roomChannel(classId)).emit('recording:status', status);
      return status;
    },
  };
}
