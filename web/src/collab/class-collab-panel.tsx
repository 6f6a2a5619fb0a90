import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useCallback, useMemo, useState } from 'react';
import { useSession } from '../auth/session-context.js';
import { LazyNotesEditor as NotesEditor } from './lazy-notes-editor.js';
import { colorForUser } from './user-color.js';
import { useDeferredNotes } from './use-deferred-notes.js';
import { Whiteboard } from './whiteboard.js';

export interface ClassCollabPanelProps {
  classId: string;
  isTeacher: boolean;
  /** Called once the board's editor is mounted. */
  onBoardReady?: () => void;
}

/**
 * The class's shared whiteboard and notes. Both stay mounted (and connected) while the other
 * tab is shown, so switching is instant and nothing is missed meanwhile.
 */
export default function ClassCollabPanel({
  classId,
  isTeacher,
  onBoardReady,
}: ClassCollabPanelProps) {
  const { user } = useSession();
  const [tab, setTab] = useState<'board' | 'notes'>('board');
  const id = user?.id ?? 'anonymous';
  const name = user?.displayName ?? 'Guest';
  const me = useMemo(() => ({ id, name, color: colorForUser(id) }), [id, name]);
  const [boardReady, setBoardReady] = useState(false);
  const onEditor = useCallback(
    (e: unknown) => {
      setBoardReady(e !== null);
      if (e !== null) onBoardReady?.();
    },
    [onBoardReady],
  );
  const notesMounted = useDeferredNotes(boardReady, tab === 'notes');

  return (
    <Box data-testid="class-collab">
      <Tabs value={tab} onChange={(_, v: 'board' | 'notes') => setTab(v)} sx={{ mb: 1 }}>
        <Tab value="board" label="Whiteboard" data-testid="tab-board" />
        <Tab value="notes" label="Notes" data-testid="tab-notes" />
      </Tabs>
      <Box hidden={tab !== 'board'}>
        <Whiteboard
          classId={classId}
          user={me}
          isTeacher={isTeacher}
          onEditor={onEditor}
          active={tab === 'board'}
        />
      </Box>
      <Box hidden={tab !== 'notes'}>
        {notesMounted && <NotesEditor classId={classId} user={me} isTeacher={isTeacher} />}
      </Box>
    </Box>
  );
}
