import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { loginPathFor } from './next-path.js';
import { useSession } from './session-context.js';

/** Renders its children for a logged-in account; a guest goes back to their class. */
export function RequireAccount({ children }: { children: ReactNode }) {
  const { session, guestClassId } = useSession();
  const location = useLocation();
  if (session) return children;
  if (guestClassId) return <Navigate to={`/classes/${guestClassId}`} replace />;
  return <Navigate to={loginPathFor(location.pathname + location.search)} replace />;
}

/** Renders its children for an account, or for a guest of this very class. */
export function RequireClassAccess({
  classId,
  children,
}: {
  classId: string;
  children: ReactNode;
}) {
  const { session, guestClassId } = useSession();
  const location = useLocation();
  if (session || guestClassId === classId) return children;
  return <Navigate to={loginPathFor(location.pathname)} replace />;
}
