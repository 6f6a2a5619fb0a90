import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import EventIcon from '@mui/icons-material/Event';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink, useParams } from 'react-router';
import { ApiError, errorMessage } from '../api/api-error.js';
import { getClass } from '../api/classes-api.js';
import { RequireClassAccess } from '../auth/require-account.js';
import { useApi, useSession } from '../auth/session-context.js';
import { formatSchedule } from '../lib/datetime.js';
import { useResource } from '../lib/use-resource.js';
import { LiveClassPanel } from '../live/live-class-panel.js';
import { BroadcastFeed, BroadcastFeedContext } from '../broadcast/broadcast-feed.js';
import { BroadcastPanel } from '../broadcast/broadcast-panel.js';
import { useDocumentTitle } from '../lib/use-document-title.js';
import { prefetchCollabConnection } from '../collab/collab-connection-prefetch.js';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { DeferredDeviceCheck } from './deferred-device-check.js';

// tldraw and TipTap are large: evaluated only when a class page opens, but then at once
// (below), not when the board is first shown; index.html preloads them (vite.config.ts).
const loadCollabPanel = () => import('../collab/class-collab-panel.js');
const loadStageCollab = () => import('../collab/stage-collab.js');
const ClassCollabPanel = lazy(loadCollabPanel);

export function ClassPage() {
  const { id = '' } = useParams();
  return (
    <RequireClassAccess classId={id}>
      <ClassView id={id} />
    </RequireClassAccess>
  );
}

function ClassView({ id }: { id: string }) {
  const api = useApi();
  const { isGuest } = useSession();
  const cls = useResource(`class:${id}`, () => getClass(api, id));
  const [broadcastFeed] = useState(() => new BroadcastFeed());
  // While the live room fills the window, the page's own content steps aside.
  const [inRoom, setInRoom] = useState(false);
  // The device check (camera preview, mic meter) waits for the board (deferred-device-check).
  const [boardReady, setBoardReady] = useState(false);
  const onBoardReady = useCallback(() => setBoardReady(true), []);
  useDocumentTitle(cls.data?.title ?? 'Class');
  useEffect(() => {
    // The board's document first (its requests go out before tldraw's code, ~0.3 s of main
    // thread, is evaluated), then the board's code, which index.html already preloads.
    prefetchCollabConnection(api, id, 'board');
    void loadCollabPanel();
    void loadStageCollab();
  }, [api, id]);

  if (cls.error) {
    const status = cls.error instanceof ApiError ? cls.error.status : 0;
    const message =
      status === 404 || (cls.error instanceof ApiError && cls.error.code === 'validation_failed')
        ? 'This class does not exist or was deleted.'
        : status === 403
          ? 'You are not a member of this class. Ask the teacher for an invite link.'
          : errorMessage(cls.error);
    return (
      <Stack spacing={2} sx={{ alignItems: 'flex-start' }}>
        <Alert
          severity={status === 0 || status >= 500 ? 'error' : 'warning'}
          data-testid="class-error"
        >
          {message}
        </Alert>
        {status >= 500 || status === 0 ? <Button onClick={cls.reload}>Retry</Button> : null}
        {!isGuest && (
          <Button component={RouterLink} to="/" startIcon={<ArrowBackIcon />}>
            Back to your classes
          </Button>
        )}
      </Stack>
    );
  }
  if (!cls.data) {
    return (
      <Stack spacing={2}>
        <Skeleton variant="text" width="50%" height={56} />
        <Skeleton variant="rounded" height={320} />
      </Stack>
    );
  }

  const c = cls.data;
  return (
    <Stack spacing={3}>
      {!inRoom && !isGuest && (
        <Box>
          <Button component={RouterLink} to="/" startIcon={<ArrowBackIcon />} size="small">
            Your classes
          </Button>
        </Box>
      )}
      {!inRoom && (
        <Box>
          <Typography
            variant="h4"
            component="h1"
            data-testid="class-page-title"
            sx={{ wordBreak: 'break-word' }}
          >
            {c.title}
          </Typography>
          <Stack direction="row" spacing={1} sx={{ mt: 1, flexWrap: 'wrap', alignItems: 'center' }}>
            <Chip
              icon={<EventIcon />}
              label={formatSchedule(c.scheduledStart, c.scheduledEnd)}
              variant="outlined"
              data-testid="class-page-schedule"
            />
            <Chip
              label={
                c.myRole === 'teacher' ? 'You teach this class' : isGuest ? 'Guest' : 'Student'
              }
            />
          </Stack>
        </Box>
      )}
      {!inRoom && c.description && (
        <Typography
          sx={{ whiteSpace: 'pre-wrap', maxWidth: '75ch' }}
          data-testid="class-page-description"
        >
          {c.description}
        </Typography>
      )}
      <BroadcastFeedContext value={broadcastFeed}>
        <DeferredDeviceCheck boardReady={boardReady}>
          <LiveClassPanel
            classId={c.id}
            title={c.title}
            getToken={() => api.tokenFor(c.id)}
            onInRoom={setInRoom}
          />
        </DeferredDeviceCheck>
        {/* OBS set-up and recordings: on the class page, out of the live class's way. */}
        {!inRoom && <BroadcastPanel classId={c.id} isTeacher={c.myRole === 'teacher'} />}
      </BroadcastFeedContext>
      {!inRoom && (
        <Suspense fallback={<Skeleton variant="rounded" height={420} />}>
          <ClassCollabPanel
            classId={c.id}
            isTeacher={c.myRole === 'teacher'}
            onBoardReady={onBoardReady}
          />
        </Suspense>
      )}
    </Stack>
  );
}
