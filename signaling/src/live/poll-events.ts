import type { ClassDeps, Handlers } from './live-handler.js';
import { roomChannel, teachersChannel } from './live-room.js';
import type { PollService } from './polls.js';

type PollRow = Awaited<ReturnType<PollService['find']>>;

const teacher = { userId: '', role: 'teacher' } as const;
const student = { userId: '', role: 'student' } as const;

export function pollHandlers(
  d: ClassDeps,
): Handlers<'poll:create' | 'poll:vote' | 'poll:close' | 'poll:share'> {
  const students = (classId: string) =>
    d.io.to(roomChannel(classId)).except(teachersChannel(classId));
  const teachers = (classId: string) => d.io.to(teachersChannel(classId));

  /** Tells teachers and students the poll's current state, each as they may see it. */
  const announce = (row: PollRow) => {
    const event = row.status === 'open' ? 'poll:opened' : 'poll:closed';
    teachers(row.class_id).emit(event, d.polls.info(row, teacher));
    students(row.class_id).emit(event, d.polls.info(row, student));
  };
  const publishResults = async (row: PollRow) => {
    const forTeachers = await d.polls.results(row, teacher);
    if (forTeachers) teachers(row.class_id).emit('poll:results', forTeachers);
    const forStudents = await d.polls.results(row, student);
    if (forStudents) students(row.class_id).emit('poll:results', forStudents);
  };

  return {
    'poll:create': async (_s, session, p) => {
      const { classId } = await d.guards.asTeacher(session);
      const row = await d.polls.create(classId, session.principal.userId, p);
      announce(row);
      return { poll: d.polls.info(row, teacher) };
    },
    'poll:vote': async (_s, session, { pollId, choices }) => {
      const { classId } = await d.guards.joined(session);
      const { userId, name } = session.principal;
      const row = await d.polls.vote(classId, pollId, { userId, name }, choices);
      await publishResults(row);
      return null;
    },
    'poll:close': async (_s, session, { pollId }) => {
      const { classId } = await d.guards.asTeacher(session);
      const row = await d.polls.close(classId, pollId);
      announce(row);
      await publishResults(row);
      return null;
    },
    'poll:share': async (_s, session, { pollId }) => {
      const { classId } = await d.guards.asTeacher(session);
      const row = await d.polls.share(classId, pollId);
      announce(row);
      await publishResults(row);
      return null;
    },
  };
}
