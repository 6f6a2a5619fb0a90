import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import {
  Tldraw,
  atom,
  createTLStore,
  defaultBindingUtils,
  defaultShapeUtils,
  useTldrawUser,
  type Editor,
  type TLPresenceUserInfo,
  type TLStore,
} from 'tldraw';
import 'tldraw/tldraw.css';
import { breakoutDocumentName } from '@educloud/protocol';
import { useApi } from '../auth/session-context.js';
import { CollabConnection, type CollabStatus } from '../collab/collab-connection.js';
import { CollabStatusChip } from '../collab/collab-status-chip.js';
import { TldrawYjsBinding } from '../collab/tldraw-yjs-binding.js';

const assetUrls = getAssetUrlsByImport();
const connecting: CollabStatus = { state: 'connecting' };

declare global {
  interface Window {
    /** The open breakout board, for tests and debugging. */
    educloudBreakoutBoard?: { roomId: string; editor: Editor; binding: TldrawYjsBinding };
  }
}

export interface BreakoutBoardProps {
  classId: string;
  roomId: string;
  user: { id: string; name: string; color: string };
}

/**
 * A breakout room's own whiteboard (`breakout/<id>/board`): the room's members draw together;
 * it is kept after the breakouts close. Breakout boards are never reset, so their epoch is 0.
 */
export function BreakoutBoard({ classId, roomId, user }: BreakoutBoardProps) {
  const api = useApi();
  const [connection, setConnection] = useState<CollabConnection | null>(null);
  const [bound, setBound] = useState<{ store: TLStore; binding: TldrawYjsBinding } | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [presenceUser] = useState(() => atom<TLPresenceUserInfo>('presence user', user));
  const tldrawUser = useTldrawUser({
    userPreferences: useMemo(
      () => ({ id: user.id, name: user.name, color: user.color }),
      [user.id, user.name, user.color],
    ),
  });

  useEffect(() => {
    const conn = new CollabConnection({
      docName: breakoutDocumentName(roomId),
      getToken: () => api.tokenFor(classId),
      getEpoch: async () => 0,
    });
    setConnection(conn);
    return () => {
      setConnection(null);
      conn.destroy();
    };
  }, [api, classId, roomId]);

  const subscribe = useMemo(
    () => (listener: () => void) => connection?.subscribe(listener) ?? (() => {}),
    [connection],
  );
  const status = useSyncExternalStore(subscribe, () => connection?.getStatus() ?? connecting);

  useEffect(() => {
    if (!connection) return;
    const store = createTLStore({
      shapeUtils: defaultShapeUtils,
      bindingUtils: defaultBindingUtils,
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
      binding.setWritable(true);
      setBound({ store, binding });
    };
    const onSync = (synced: boolean) => synced && start();
    if (connection.provider.synced) start();
    else connection.provider.on('sync', onSync);
    return () => {
      connection.provider.off('sync', onSync);
      binding?.destroy();
      setBound(null);
      setEditor(null);
    };
  }, [connection, presenceUser]);

  useEffect(() => {
    if (!editor || !bound) return;
    window.educloudBreakoutBoard = { roomId, editor, binding: bound.binding };
    return () => {
      if (window.educloudBreakoutBoard?.editor === editor) delete window.educloudBreakoutBoard;
    };
  }, [editor, bound, roomId]);

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

  return (
    <Stack spacing={1} data-testid="breakout-board">
      <CollabStatusChip status={status} testId="breakout-board-status" />
      <Box
        sx={{ position: 'relative', height: 360 }}
        data-testid="breakout-board-canvas"
        data-ready={String(!!editor)}
      >
        <Tldraw
          key={bound ? String(connection?.doc.clientID) : 'loading'}
          store={storeWithStatus}
          assetUrls={assetUrls}
          user={tldrawUser}
          onMount={setEditor}
        />
      </Box>
    </Stack>
  );
}
