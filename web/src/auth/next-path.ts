/**
 * The in-app path to return to after logging in, taken from `?next=`. Only same-origin paths are
 * accepted, so a crafted link cannot send a freshly logged-in user to another site.
 */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  if (next.startsWith('/login') || next.startsWith('/signup')) return fallback;
  return next;
}

export function loginPathFor(currentPath: string, page: 'login' | 'signup' = 'login'): string {
  return currentPath === '/' ? `/${page}` : `/${page}?next=${encodeURIComponent(currentPath)}`;
}
