import Skeleton from '@mui/material/Skeleton';
import { lazy, Suspense, type ComponentProps } from 'react';

// TipTap in a chunk of its own: the board's chunk, needed first, is that much smaller.
const NotesEditor = lazy(() =>
  import('./notes-editor.js').then((m) => ({ default: m.NotesEditor })),
);

/** The notes editor, loaded when first mounted. */
export function LazyNotesEditor(props: ComponentProps<typeof NotesEditor>) {
  return (
    <Suspense fallback={<Skeleton variant="rounded" height={320} data-testid="notes-loading" />}>
      <NotesEditor {...props} />
    </Suspense>
  );
}
