import type { E2eServer } from './harness.js';

/**
 * Signs up a teacher (`teacher@example.org`) and the students named (`<name>@example.org`, in
 * that order), creates a class as the teacher and has every student join it by its invite.
 */
export async function classWithStudents(
  server: E2eServer,
  title: string,
  students: readonly string[],
): Promise<{ classId: string; tokens: Record<string, string> }> {
  const api = (path: string, body: unknown, token?: string) =>
    server.api('POST', path, body, token);
  const tokens: Record<string, string> = {};
  const people = [['teacher', 'teacher'] as const, ...students.map((n) => [n, 'student'] as const)];
  for (const [name, role] of people) {
    const r = await api('/api/auth/signup', {
      email: `${name}@example.org`,
      password: 'long password',
      displayName: name,
      role,
    });
    tokens[name] = r.accessToken;
  }
  const c = await api('/api/classes', { title }, tokens.teacher);
  const code = c.class.inviteUrl.split('/join/')[1];
  for (const name of students) await api(`/api/invites/${code}/join`, undefined, tokens[name]);
  return { classId: c.class.id, tokens };
}
