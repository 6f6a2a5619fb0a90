import type { TestServer } from './test-server.js';

/** A class the teacher creates, the students joined through its invite link; returns its id. */
export async function classWithStudents(
  s: TestServer,
  teacher: string,
  title: string,
  students: string[],
): Promise<string> {
  const c = await s.call('POST', '/api/classes', { token: teacher, body: { title } });
  const code = c.body.class.inviteUrl.split('/join/')[1];
  for (const token of students) await s.call('POST', `/api/invites/${code}/join`, { token });
  return c.body.class.id as string;
}
