import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import PictureAsPdfIcon from '@mui/icons-material/PictureAsPdf';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Tldraw,
  atom,
  createTLStore,
  defaultBindingUtils,
  defaultShapeUtils,
  exportToBlob,
  useTldrawUser,
  type Editor,
  type TLAssetStore,
  type TLComponents,
  type TLPresenceUserInfo,
  type TLStore,
} from 'tldraw';
import 'tldraw/tldraw.css';
import { getClientConfig } from '../api/client-config-api.js';
import { useApi } from '../auth/session-context.js';
import { useResource } from '../lib/use-resource.js';
import { CollabStatusChip } from './collab-status-chip.js';
import { LockChip, LockToggle } from './lock-controls.js';
import { useDocumentLock, useLockedView } from './document-lock.js';
import { ResetControls } from './reset-controls.js';
import { downloadFile } from './download-file.js';
import { markBoard } from './board-timing.js';
import { pauseEditor } from './pause-editor.js';
import { TldrawYjsBinding } from './tldraw-yjs-binding.js';
import { VisibleShapesCanvas } from './visible-shapes-canvas.js';
import { useCollabConnection } from './use-collab-connection.js';

// Fonts, icons and translations come from our own bundle, never from tldraw's CDN.
const assetUrls = getAssetUrlsByImport();
/** Only the shapes in view are mounted (visible-shapes-canvas.tsx). */
const components: TLComponents = { Canvas: VisibleShapesCanvas };
markBoard('code');

/** An image is stored inline (data URL) and sent in one update: the server takes 1 MiB frames. */
const maxImageBytes = 600 * 1024;

const dataUrlAssets: TLAssetStore = {
  async upload(_asset, file) {
    if (file.size > maxImageBytes) {
      throw new Error(`Images up to ${Math.round(maxImageBytes / 1024)} KB can be added`);
    }
    const src = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.onerror = () => reject(reader.error ?? new Error('Could not read the image'));
      reader.readAsDataURL(file);
    });
    return { src };
  },
  resolve: (asset) => asset.props.src,
};

/** Handle for tests and debugging in the browser console. */
export interface BoardDebugHandle {
  editor: Editor;
  binding: TldrawYjsBinding;
  importPdf(file: File): Promise<string[]>;
}

declare global {
  interface Window {
    educloudBoard?: BoardDebugHandle;
  }
}

export interface WhiteboardProps {
  classId: string;
  user: { id: string; name: string; color: string };
  isTeacher: boolean;
  /** Fill the parent's height (on the live room's stage) instead of 70% of the window. */
  fill?: boolean;
  /** The editor once tldraw has mounted it (null when it goes). */
  onEditor?: (editor: Editor | null) => void;
  /** False while the board is hidden (off stage, another tab): its frame loop pauses. */
  active?: boolean;
}

export function Whiteboard({
  classId,
  user,
  isTeacher,
  fill,
  onEditor,
  active = true,
}: WhiteboardProps) {
  const api = useApi();
  // An operator's licence key removes tldraw's watermark; without one it stays, as its
  // licence requires.
  const clientConfig = useResource('client-config', () => getClientConfig(api));
  const { connection, status, rebuild } = useCollabConnection(api, classId, 'board');
  const { locked, setLocked, state, reset, undoReset } = useDocumentLock(
    api,
    classId,
    'board',
    connection,
  );
  const readOnly = useLockedView(locked, isTeacher, rebuild);
  const [bound, setBound] = useState<{ store: TLStore; binding: TldrawYjsBinding } | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const [presenceUser] = useState(() => atom<TLPresenceUserInfo>('presence user', user));
  // tldraw follows these: read-only mode, and its own offline indicator.
  const [mode] = useState(() => atom<'readonly' | 'readwrite'>('board mode', 'readonly'));
  const [online] = useState(() => atom<'online' | 'offline'>('board online', 'offline'));
  useEffect(() => {
    presenceUser.set(user);
  }, [presenceUser, user]);
  const tldrawUser = useTldrawUser({
    userPreferences: useMemo(
      () => ({ id: user.id, name: user.name, color: user.color }),
      [user.id, user.name, user.color],
    ),
  });

  useEffect(() => {
    if (!connection) return;
    const store = createTLStore({
      shapeUtils: defaultShapeUtils,
      bindingUtils: defaultBindingUtils,
      assets: dataUrlAssets,
      collaboration: { mode, status: online },
    });
    let binding: TldrawYjsBinding | null = null;
    const start = () => {
      if (binding) return;
      binding = new TldrawYjsBinding({
        store,
        doc: connection.doc,
        awareness: connection.provider.awareness,
        user: presenceUser,
      });
      binding.start();
      markBoard('store');
      setBound({ store, binding });
    };
    const onSync = (synced: boolean) => {
      if (synced) start();
    };
    if (connection.provider.synced) start();
    else connection.provider.on('sync', onSync);
    return () => {
      connection.provider.off('sync', onSync);
      binding?.destroy();
      setBound(null);
      setEditor(null);
    };
  }, [connection, presenceUser, mode, online]);

  useEffect(() => {
    bound?.binding.setWritable(!readOnly);
    mode.set(readOnly ? 'readonly' : 'readwrite');
  }, [bound, mode, readOnly]);
  useEffect(() => {
    online.set(status.state === 'synced' ? 'online' : 'offline');
  }, [online, status.state]);

  useEffect(() => {
    onEditor?.(editor);
  }, [editor, onEditor]);
  useEffect(() => {
    if (editor && !active) return pauseEditor(editor);
  }, [editor, active]);

  useEffect(() => {
    if (!editor || !bound) return;
    window.educloudBoard = {
      editor,
      binding: bound.binding,
      importPdf: async (file) => (await import('./pdf-import.js')).importPdf(editor, file),
    };
    return () => {
      if (window.educloudBoard?.editor === editor) delete window.educloudBoard;
    };
  }, [editor, bound]);

  const onMount = useCallback((mounted: Editor) => {
    markBoard('editor');
    setEditor(mounted);
  }, []);

  const storeWithStatus = useMemo(
    () =>
      bound
        ? {
            status: 'synced-remote' as const,
            connectionStatus:
              status.state === 'synced' ? ('online' as const) : ('offline' as const),
            store: bound.store,
          }
        : { status: 'loading' as const },
    [bound, status.state],
  );

  const licenseKey = clientConfig.data?.tldrawLicenseKey ?? undefined;
  const editorKey = bound ? String(connection?.doc.clientID) : 'loading';
  // The same element while its inputs stay: this component's own updates (the editor it just
  // reported, busy, messages) then do not render all of tldraw again as the board opens.
  const canvas = useMemo(
    () => (
      <Tldraw
        // A new store (after a rebuild) needs a new editor.
        key={editorKey}
        store={storeWithStatus}
        assetUrls={assetUrls}
        components={components}
        licenseKey={licenseKey}
        user={tldrawUser}
        maxAssetSize={maxImageBytes}
        maxImageDimension={2048}
        onMount={onMount}
      />
    ),
    [editorKey, storeWithStatus, licenseKey, tldrawUser, onMount],
  );

  const onPdf = async (file: File | undefined) => {
    if (!file || !editor) return;
    setBusy('Importing PDF…');
    setMessage(null);
    try {
      // pdf.js is loaded only by those who import a PDF.
      const { importPdf } = await import('./pdf-import.js');
      await importPdf(editor, file, (done, total) => setBusy(`Importing page ${done}/${total}…`));
    } catch (err) {
      setMessage(`Could not import this PDF: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const onExport = async (format: 'png' | 'svg') => {
    if (!editor) return;
    const ids = [...editor.getCurrentPageShapeIds()];
    if (ids.length === 0) {
      setMessage('This page is empty: nothing to export.');
      return;
    }
    const name = `${editor.getCurrentPage().name || 'board'}.${format}`;
    if (format === 'svg') {
      const svg = await editor.getSvgString(ids, { background: true });
      if (svg) downloadFile(new Blob([svg.svg], { type: 'image/svg+xml' }), name);
    } else {
      downloadFile(await exportToBlob({ editor, ids, format, opts: { background: true } }), name);
    }
  };

  return (
    <Stack
      spacing={1}
      data-testid="board"
      data-locked={String(locked === true)}
      sx={fill ? { height: '100%', minHeight: 0 } : undefined}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <CollabStatusChip status={status} testId="board-status" />
        <LockChip locked={locked} isTeacher={isTeacher} testId="board-locked" />
        <Box sx={{ flexGrow: 1 }} />
        {busy && <Chip size="small" label={busy} data-testid="board-busy" />}
        {!readOnly && (
          <Button
            size="small"
            startIcon={<PictureAsPdfIcon />}
            disabled={!editor || !!busy}
            onClick={() => fileInput.current?.click()}
          >
            Add PDF
          </Button>
        )}
        <input
          ref={fileInput}
          type="file"
          accept="application/pdf"
          hidden
          data-testid="board-import-pdf"
          onChange={(e) => {
            void onPdf(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <Button
          size="small"
          disabled={!editor}
          onClick={() => void onExport('png')}
          data-testid="board-export-png"
        >
          PNG
        </Button>
        <Button
          size="small"
          disabled={!editor}
          onClick={() => void onExport('svg')}
          data-testid="board-export-svg"
        >
          SVG
        </Button>
        {isTeacher && (
          <LockToggle
            locked={locked}
            setLocked={setLocked}
            onError={setMessage}
            testId="board-lock-toggle"
          />
        )}
        {isTeacher && (
          <ResetControls
            state={state}
            label="Clear board"
            reset={reset}
            undoReset={undoReset}
            onError={setMessage}
            testId="board"
          />
        )}
      </Stack>
      {message && (
        <Alert severity="warning" onClose={() => setMessage(null)} data-testid="board-message">
          {message}
        </Alert>
      )}
      {status.state === 'failed' && (
        <Alert
          severity="error"
          action={<Button onClick={rebuild}>Reconnect</Button>}
          data-testid="board-failed"
        >
          {status.reason}
        </Alert>
      )}
      <Box
        sx={
          fill
            ? { position: 'relative', flex: 1, minHeight: 0 }
            : { position: 'relative', height: '70vh', minHeight: 420 }
        }
        data-testid="board-canvas"
        data-ready={String(!!editor)}
      >
        {canvas}
      </Box>
    </Stack>
  );
}
