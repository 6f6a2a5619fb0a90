import DownloadIcon from '@mui/icons-material/Download';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useParams } from 'react-router';
import { errorMessage } from '../api/api-error.js';
import { RequireClassAccess } from '../auth/require-account.js';
import { useApi } from '../auth/session-context.js';
import { useDocumentTitle } from '../lib/use-document-title.js';
import { useResource } from '../lib/use-resource.js';
import { getPlayback } from './broadcast-api.js';
import { ClassReplay } from './class-replay.js';
import { HlsPlayer } from './hls-player.js';
import { formatDateTime, formatDuration } from './recording-format.js';
import { BackToClass } from '../components/back-to-class.js';

/** /classes/:id/recordings/:rid — one recording: play, seek, change speed, download. */
export function ReplayPage() {
  const { id = '', rid = '' } = useParams();
  return (
    <RequireClassAccess classId={id}>
      <ReplayView classId={id} rid={rid} />
    </RequireClassAccess>
  );
}

function ReplayView({ classId, rid }: { classId: string; rid: string }) {
  const api = useApi();
  const playback = useResource(`playback:${classId}:${rid}`, () => getPlayback(api, classId, rid));
  useDocumentTitle(playback.data?.recording.title ?? 'Recording');
  const p = playback.data;

  return (
    <Stack spacing={2}>
      <BackToClass classId={classId} />
      {playback.error !== undefined && (
        <Alert severity="warning" data-testid="replay-error">
          {errorMessage(playback.error)}
        </Alert>
      )}
      {!p && playback.error === undefined && <Skeleton variant="rounded" height={360} />}
      {p && (
        <>
          <Typography variant="h5" component="h1" data-testid="replay-title">
            {p.recording.title}
          </Typography>
          <Typography color="text.secondary" variant="body2">
            {formatDateTime(p.recording.startedAt)} · {formatDuration(p.recording.durationMs)}
          </Typography>
          {p.recording.status === 'failed' ? (
            <Alert severity="error">This recording could not be saved.</Alert>
          ) : p.recording.kind === 'class' ? (
            // Also while it is being prepared: the replay asks again until it is ready.
            <ClassReplay classId={classId} rid={rid} />
          ) : (
            <HlsPlayer
              src={p.hlsUrl}
              live={p.recording.status !== 'ready'}
              onFatal={playback.reload}
              showSpeed
            />
          )}
          {p.mp4Url && p.recording.kind !== 'class' && (
            <Box>
              <Button
                href={p.mp4Url}
                download
                startIcon={<DownloadIcon />}
                variant="outlined"
                data-testid="replay-download"
              >
                Download MP4
              </Button>
            </Box>
          )}
        </>
      )}
    </Stack>
  );
}
