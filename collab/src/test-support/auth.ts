import type { Authorize } from '../options.js';

/**
 * Tokens are `<role>-<n>`: teacher (writes, also when locked), student and guest (write),
 * viewer. The user id is the token; the display name is `<role> <n>`.
 */
export const testAuthorize: Authorize = async (token) => {
  const [role] = token.split('-');
  if (role === 'teacher') {
    return { userId: token, name: token, canWrite: true, canWriteWhenLocked: true };
  }
  if (role === 'student' || role === 'guest') return { userId: token, name: token, canWrite: true };
  if (role === 'viewer') return { userId: token, name: token, canWrite: false };
  return null;
};
