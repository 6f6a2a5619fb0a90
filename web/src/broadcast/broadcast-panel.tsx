import LiveTvIcon from '@mui/icons-material/LiveTv';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { AutoRecordSwitch } from './auto-record-switch.js';
import { formatBitrate } from './recording-format.js';
import { RecordingsLibrary } from './recordings-library.js';
import { useBroadcastStatus } from './use-broadcast-status.js';

/**
 * The class page's broadcast corner: whether OBS is live (with a link to watch), what OBS
 * settings work best (teachers), and the recordings library.
 */
export function BroadcastPanel({ classId, isTeacher }: { classId: string; isTeacher: boolean }) {
  const { status } = useBroadcastStatus(classId);
  const live = status?.live === true;
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="broadcast-panel">
      <Stack spacing={2}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <LiveTvIcon color={live ? 'error' : 'disabled'} aria-hidden />
          <Typography variant="h6" component="h2">
            OBS broadcast
          </Typography>
          <Chip
            size="small"
            data-testid="broadcast-status"
            data-live={live ? 'true' : 'false'}
            color={live ? 'error' : 'default'}
            label={status === null ? 'Checking…' : live ? 'Live' : 'Offline'}
          />
          {live && isTeacher && (
            <Typography variant="body2" color="text.secondary" data-testid="broadcast-bitrate">
              Receiving {formatBitrate(status.ingestBitrateBps)}
            </Typography>
          )}
          <Button
            component={RouterLink}
            to={`/classes/${classId}/watch`}
            variant={live ? 'contained' : 'outlined'}
            size="small"
            data-testid="watch-broadcast"
            sx={{ ml: 'auto' }}
          >
            {live ? 'Watch now' : 'Open the watch page'}
          </Button>
        </Stack>
        {isTeacher && status?.notice && (
          <Alert severity="warning" data-testid="broadcast-notice">
            {status.notice.message}
          </Alert>
        )}
        {isTeacher && <RecommendedObsSettings />}
        {isTeacher && <AutoRecordSwitch classId={classId} />}
        <RecordingsLibrary classId={classId} isTeacher={isTeacher} />
      </Stack>
    </Paper>
  );
}

function RecommendedObsSettings() {
  return (
    <Alert severity="info" icon={false} data-testid="obs-recommended-settings">
      <Typography variant="subtitle2" gutterBottom>
        Recommended OBS settings (Settings → Output, Output Mode “Advanced”)
      </Typography>
      <Typography variant="body2" component="div">
        <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
          <li>Encoder: x264 (or your GPU’s H.264 encoder), Rate control CBR.</li>
          <li>
            Bitrate: 2500–4000 kbps for 1080p30, 1500–2500 kbps for 720p30 (stay under half of your
            upload speed); audio AAC 128–160 kbps.
          </li>
          <li>
            Keyframe interval: 2 s. For the lowest delay on the watch page, set 1 s (the server must
            run with low-latency HLS).
          </li>
          <li>CPU usage preset “veryfast”, profile “main” or “high”, Tune “zerolatency”.</li>
          <li>Output resolution 1280×720 or 1920×1080 at 30 fps; Audio sample rate 48 kHz.</li>
        </ul>
      </Typography>
    </Alert>
  );
}
