import Box from '@mui/material/Box';
import { useMemo, useState } from 'react';
import type { Editor } from 'tldraw';
import type { StageView } from '@educloud/protocol';
import { useSession } from '../auth/session-context.js';
import { useFollowView, usePresentView } from './board-follow.js';
import { useDeferredNotes } from './use-deferred-notes.js';
import { LazyNotesEditor as NotesEditor } from './lazy-notes-editor.js';
import { colorForUser } from './user-color.js';
import { Whiteboard } from './whiteboard.js';

export interface StageCollabProps {
  classId: string;
  isTeacher: boolean;
  /** Which document fills the stage; null: neither (both stay connected, hidden). */
  show: 'board' | 'notes' | null;
  /** This user presents the board: their page and viewport go out through `onView`. */
  presentingBoard: boolean;
  /** False while the whole stage is hidden (gallery view). */
  visible: boolean;
  onView: (view: StageView) => void;
  /** The presenter's view to follow, or null when not following. */
  followView: StageView | null;
}

/**
 * The class's whiteboard and notes on the live room's stage. Both stay mounted whatever the
 * stage shows, so putting one on stage is instant and nothing is missed meanwhile.
 */
export default function StageCollab(p: StageCollabProps) {
  const { user } = useSession();
  const id = user?.id ?? 'anonymous';
  const name = user?.displayName ?? 'Guest';
  const me = useMemo(() => ({ id, name, color: colorForUser(id) }), [id, name]);
  const [editor, setEditor] = useState<Editor | null>(null);
  const boardShown = p.show === 'board';
  const notesMounted = useDeferredNotes(editor !== null, p.show === 'notes');
  usePresentView(editor, p.presentingBoard && boardShown, p.onView);
  useFollowView(editor, boardShown ? p.followView : null);

  return (
    <>
      <Box
        data-testid="stage-board"
        sx={{ display: boardShown ? 'block' : 'none', height: '100%', p: 1, minHeight: 0 }}
      >
        <Whiteboard
          classId={p.classId}
          user={me}
          isTeacher={p.isTeacher}
          fill
          onEditor={setEditor}
          active={boardShown && p.visible}
        />
      </Box>
      <Box
        data-testid="stage-notes"
        sx={{
          display: p.show === 'notes' ? 'block' : 'none',
          height: '100%',
          overflow: 'auto',
          p: 1,
        }}
      >
        {notesMounted && <NotesEditor classId={p.classId} user={me} isTeacher={p.isTeacher} />}
      </Box>
    </>
  );
}
