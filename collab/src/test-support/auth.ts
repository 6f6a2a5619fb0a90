import type { Authorize } from '../options.js';

/** Tokens are `<role>-<n>`: teacher (writes, also when locked), student (writes), viewer. */
export const testAuthorize: Authorize = async (token) => {
  const [role] = token.split('-');
  if (role === 'teacher') {
    return { userId: token, name: token, canWrite: true, canWriteWhenLocked: true };
  }
  if (role === 'student') return { userId: token, name: token, canWrite: true };
  if (role === 'viewer') return { userId: token, name: token, canWrite: false };
  return null;
};
