import FormatBoldIcon from '@mui/icons-material/FormatBold';
import FormatItalicIcon from '@mui/icons-material/FormatItalic';
import FormatListBulletedIcon from '@mui/icons-material/FormatListBulleted';
import FormatListNumberedIcon from '@mui/icons-material/FormatListNumbered';
import LinkIcon from '@mui/icons-material/Link';
import RedoIcon from '@mui/icons-material/Redo';
import UndoIcon from '@mui/icons-material/Undo';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import {
  EditorContent,
  useEditor,
  useEditorState,
  type AnyExtension,
  type Editor,
} from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import TurndownService from 'turndown';
import { useEffect, useState, type ReactNode } from 'react';
import { useApi } from '../auth/session-context.js';
import type { CollabConnection } from './collab-connection.js';
import { CollabStatusChip } from './collab-status-chip.js';
import { LockChip, LockToggle } from './lock-controls.js';
import { useDocumentLock, useLockedView } from './document-lock.js';
import { ResetControls } from './reset-controls.js';
import { downloadFile } from './download-file.js';
import { useCollabConnection } from './use-collab-connection.js';

export interface NotesEditorProps {
  classId: string;
  user: { id: string; name: string; color: string };
  isTeacher: boolean;
}

export function NotesEditor({ classId, user, isTeacher }: NotesEditorProps) {
  const api = useApi();
  const { connection, status, rebuild } = useCollabConnection(api, classId, 'notes');
  const { locked, setLocked, state, reset, undoReset } = useDocumentLock(
    api,
    classId,
    'notes',
    connection,
  );
  const readOnly = useLockedView(locked, isTeacher, rebuild);
  const [synced, setSynced] = useState<CollabConnection | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  // Mounting the editor on an unsynced document would add its empty first paragraph to the
  // shared one: wait for the server's state first.
  useEffect(() => {
    if (!connection) return;
    const onSync = (s: boolean) => s && setSynced(connection);
    if (connection.provider.synced) setSynced(connection);
    else connection.provider.on('sync', onSync);
    return () => {
      connection.provider.off('sync', onSync);
      setSynced(null);
    };
  }, [connection]);

  return (
    <Stack spacing={1} data-testid="notes" data-locked={String(locked === true)}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <CollabStatusChip status={status} testId="notes-status" />
        <LockChip locked={locked} isTeacher={isTeacher} testId="notes-locked" />
        <Box sx={{ flexGrow: 1 }} />
        {isTeacher && (
          <LockToggle
            locked={locked}
            setLocked={setLocked}
            onError={setMessage}
            testId="notes-lock-toggle"
          />
        )}
        {isTeacher && (
          <ResetControls
            state={state}
            label="Reset notes"
            reset={reset}
            undoReset={undoReset}
            onError={setMessage}
            testId="notes"
          />
        )}
      </Stack>
      {message && (
        <Alert severity="warning" onClose={() => setMessage(null)}>
          {message}
        </Alert>
      )}
      {status.state === 'failed' && (
        <Alert severity="error" action={<Button onClick={rebuild}>Reconnect</Button>}>
          {status.reason}
        </Alert>
      )}
      {synced ? (
        <SyncedNotes
          key={synced.doc.clientID}
          connection={synced}
          user={user}
          readOnly={readOnly}
        />
      ) : (
        <Paper variant="outlined" sx={{ p: 2, minHeight: 320, color: 'text.secondary' }}>
          Loading the notes…
        </Paper>
      )}
    </Stack>
  );
}

function SyncedNotes({
  connection,
  user,
  readOnly,
}: {
  connection: CollabConnection;
  user: { name: string; color: string };
  readOnly: boolean;
}) {
  const editor = useEditor({
    extensions: [
      // The install holds two copies of @tiptap/core (3.31.3 under starter-kit, 3.34.0 hoisted
      // for the menus): identical at runtime once Vite dedupes them, distinct types for tsc.
      StarterKit.configure({
        // Collaboration brings its own history, limited to this user's edits.
        undoRedo: false,
        link: { openOnClick: false, autolink: true },
      }) as unknown as AnyExtension,
      Collaboration.configure({ document: connection.doc, field: 'default' }),
      CollaborationCaret.configure({ provider: connection.provider, user }),
    ],
    editable: !readOnly,
    editorProps: { attributes: { 'data-testid': 'notes-content', 'aria-label': 'Class notes' } },
  });

  useEffect(() => {
    editor.setEditable(!readOnly);
  }, [editor, readOnly]);

  useEffect(() => {
    editor.commands.updateUser(user);
  }, [editor, user]);

  return (
    <Paper variant="outlined" sx={{ overflow: 'hidden' }}>
      <NotesToolbar editor={editor} readOnly={readOnly} />
      <Box
        sx={{
          px: 2,
          minHeight: 320,
          '& .ProseMirror': { outline: 'none', minHeight: 300, py: 1 },
          '& .collaboration-carets__caret': {
            position: 'relative',
            borderLeft: '1px solid',
            borderRight: '1px solid',
            ml: '-1px',
            mr: '-1px',
            pointerEvents: 'none',
            wordBreak: 'normal',
          },
          '& .collaboration-carets__label': {
            position: 'absolute',
            top: '-1.4em',
            left: '-1px',
            fontSize: 12,
            fontWeight: 600,
            lineHeight: 'normal',
            px: 0.5,
            borderRadius: '3px 3px 3px 0',
            color: '#fff',
            whiteSpace: 'nowrap',
            userSelect: 'none',
          },
        }}
      >
        <EditorContent editor={editor} />
      </Box>
    </Paper>
  );
}

/**
 * The commands the toolbar uses. StarterKit declares them on its own copy of @tiptap/core
 * (see above), so tsc does not see them on the hoisted copy's `ChainedCommands`.
 */
interface NotesChain {
  toggleBold(): NotesChain;
  toggleItalic(): NotesChain;
  toggleHeading(attrs: { level: 1 | 2 }): NotesChain;
  toggleBulletList(): NotesChain;
  toggleOrderedList(): NotesChain;
  extendMarkRange(mark: string): NotesChain;
  setLink(attrs: { href: string }): NotesChain;
  unsetLink(): NotesChain;
  undo(): NotesChain;
  redo(): NotesChain;
  run(): boolean;
}

const chain = (editor: Editor) => editor.chain().focus() as unknown as NotesChain;

const turndown = new TurndownService({
  headingStyle: 'atx',
  bulletListMarker: '-',
  codeBlockStyle: 'fenced',
});

function NotesToolbar({ editor, readOnly }: { editor: Editor; readOnly: boolean }) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      h1: e.isActive('heading', { level: 1 }),
      h2: e.isActive('heading', { level: 2 }),
      bullet: e.isActive('bulletList'),
      ordered: e.isActive('orderedList'),
      link: e.isActive('link'),
    }),
  });

  const setLink = () => {
    const previous = editor.getAttributes('link').href as string | undefined;
    const url = window.prompt('Link address', previous ?? 'https://');
    if (url === null) return;
    if (url === '' || url === 'https://') {
      chain(editor).extendMarkRange('link').unsetLink().run();
      return;
    }
    chain(editor).extendMarkRange('link').setLink({ href: url }).run();
  };

  const exportMarkdown = () => {
    const markdown = turndown.turndown(editor.getHTML());
    downloadFile(new Blob([markdown], { type: 'text/markdown' }), 'notes.md');
  };

  const tool = (label: string, active: boolean, onClick: () => void, icon: ReactNode) => (
    <Tooltip title={label}>
      <span>
        <IconButton
          size="small"
          aria-label={label}
          aria-pressed={active}
          color={active ? 'primary' : 'default'}
          disabled={readOnly}
          onClick={onClick}
        >
          {icon}
        </IconButton>
      </span>
    </Tooltip>
  );

  return (
    <Stack
      direction="row"
      spacing={0.5}
      sx={{ alignItems: 'center', px: 1, py: 0.5, borderBottom: 1, borderColor: 'divider' }}
      data-testid="notes-toolbar"
    >
      {tool('Bold', state.bold, () => chain(editor).toggleBold().run(), <FormatBoldIcon />)}
      {tool('Italic', state.italic, () => chain(editor).toggleItalic().run(), <FormatItalicIcon />)}
      <Button
        size="small"
        disabled={readOnly}
        color={state.h1 ? 'primary' : 'inherit'}
        onClick={() => chain(editor).toggleHeading({ level: 1 }).run()}
      >
        H1
      </Button>
      <Button
        size="small"
        disabled={readOnly}
        color={state.h2 ? 'primary' : 'inherit'}
        onClick={() => chain(editor).toggleHeading({ level: 2 }).run()}
      >
        H2
      </Button>
      {tool(
        'Bulleted list',
        state.bullet,
        () => chain(editor).toggleBulletList().run(),
        <FormatListBulletedIcon />,
      )}
      {tool(
        'Numbered list',
        state.ordered,
        () => chain(editor).toggleOrderedList().run(),
        <FormatListNumberedIcon />,
      )}
      {tool('Link', state.link, setLink, <LinkIcon />)}
      {tool('Undo', false, () => chain(editor).undo().run(), <UndoIcon />)}
      {tool('Redo', false, () => chain(editor).redo().run(), <RedoIcon />)}
      <Box sx={{ flexGrow: 1 }} />
      <Button size="small" onClick={exportMarkdown} data-testid="notes-export-md">
        Markdown
      </Button>
    </Stack>
  );
}
