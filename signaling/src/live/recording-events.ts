import type { ClassDeps, Handlers, SocketSession } from './live-handler.js';
import { AckError } from './ack-error.js';
import type { ClassAtStart } from './recording-port.js';
import { roomChannel, teachersChannel, type LiveRoom } from './live-room.js';

/**
 * After `class:start`: a class set to record automatically starts recording, and everyone in
 * it (and each joiner, as for a recording started by hand) is told. When it is refused, the
 * teachers are told why.
 */
export async function recordIfAutomatic(
  d: Pick<ClassDeps, 'io' | 'recording' | 'stage'>,
  room: LiveRoom,
  session: SocketSession,
): Promise<void> {
  if (!d.recording?.classStarted || d.recording.status(room.classId).recording) return;
  const { userId, name } = session.principal;
  const status = await d.recording.classStarted(
    room.classId,
    { userId, name },
    await classAtStart(d, room),
  );
  if (!status) return;
  // Why it did not start is the teachers' business; the students saw nothing start.
  const to = status.refused ? teachersChannel(room.classId) : roomChannel(room.classId);
  d.io.to(to).emit('recording:status', status);
}

async function classAtStart(d: Pick<ClassDeps, 'stage'>, room: LiveRoom): Promise<ClassAtStart> {
  const stage = await d.stage.get(room.classId);
  return {
    participants: room.allPeers().map((p) => ({ peerId: p.peerId, name: p.name })),
    onStage: stage.content,
    page: stage.content === 'board' ? (stage.view?.pageId ?? null) : null,
  };
}

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
      const status = await control().start(classId, { userId, name }, await classAtStart(d, room));
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
