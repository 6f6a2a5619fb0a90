import Alert from '@mui/material/Alert';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useParams } from 'react-router';
import { ApiError, errorMessage } from '../api/api-error.js';
import { RequireClassAccess } from '../auth/require-account.js';
import { useDocumentTitle } from '../lib/use-document-title.js';
import { HlsPlayer } from './hls-player.js';
import { useBroadcastStatus } from './use-broadcast-status.js';
import { BackToClass } from '../components/back-to-class.js';

/** /classes/:id/watch — the teacher's OBS broadcast over HLS. */
export function WatchPage() {
  const { id = '' } = useParams();
  return (
    <RequireClassAccess classId={id}>
      <WatchView classId={id} />
    </RequireClassAccess>
  );
}

function WatchView({ classId }: { classId: string }) {
  useDocumentTitle('Watch broadcast');
  const { status, error, refresh } = useBroadcastStatus(classId);
  const live = status?.live === true && status.hlsUrl !== null;

  return (
    <Stack spacing={2}>
      <BackToClass classId={classId} />
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Typography variant="h5" component="h1">
          Broadcast
        </Typography>
        <Chip
          data-testid="watch-status"
          data-live={live ? 'true' : 'false'}
          color={live ? 'error' : 'default'}
          label={status === null ? 'Checking…' : live ? 'Live' : 'Offline'}
          size="small"
        />
      </Stack>
      {error !== null && status === null && (
        <Alert severity={error instanceof ApiError && error.status === 403 ? 'warning' : 'error'}>
          {errorMessage(error)}
        </Alert>
      )}
      {live && status.hlsUrl ? (
        <HlsPlayer key={status.recordingId} src={status.hlsUrl} live onFatal={refresh} />
      ) : (
        status !== null && (
          <Paper variant="outlined" sx={{ p: 4, textAlign: 'center', borderStyle: 'dashed' }}>
            <Typography color="text.secondary" data-testid="watch-offline">
              The teacher is not broadcasting right now. This page starts playing by itself when the
              broadcast begins.
            </Typography>
          </Paper>
        )
      )}
    </Stack>
  );
}
