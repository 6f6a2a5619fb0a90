import { useState } from 'react';
import VisibilityIcon from '@mui/icons-material/Visibility';
import VisibilityOffIcon from '@mui/icons-material/VisibilityOff';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { errorMessage } from '../api/api-error.js';
import { getStreamKey, rotateStreamKey } from '../api/classes-api.js';
import { useApi } from '../auth/session-context.js';
import { useResource } from '../lib/use-resource.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { CopyButton } from './copy-button.js';
import { useNotify } from './notify-context.js';

const MASK = '•'.repeat(32);

/** What to paste into OBS (Settings → Stream → Custom) to broadcast into this class. */
export function ObsSetupPanel({ classId }: { classId: string }) {
  const api = useApi();
  const notify = useNotify();
  const key = useResource(`stream-key:${classId}`, () => getStreamKey(api, classId));
  const [revealed, setRevealed] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);

  const rotate = async () => {
    const fresh = await rotateStreamKey(api, classId);
    key.setData(() => fresh);
    notify('Stream key rotated: update it in OBS');
  };

  if (key.error) {
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" onClick={key.reload}>
            Retry
          </Button>
        }
      >
        {errorMessage(key.error)}
      </Alert>
    );
  }
  if (!key.data) return <Skeleton variant="rounded" height={120} />;

  const { serverUrl, streamKey } = key.data;
  return (
    <Stack spacing={2} data-testid="obs-setup">
      <Typography variant="body2" color="text.secondary">
        In OBS open Settings → Stream, choose Service “Custom…”, then paste the Server and the
        Stream Key below.
      </Typography>
      <TextField
        size="small"
        label="Server"
        value={serverUrl}
        slotProps={{
          htmlInput: { readOnly: true, 'data-testid': 'stream-server-url' },
          input: {
            endAdornment: (
              <InputAdornment position="end">
                <CopyButton text={serverUrl} label="Copy server URL" testId="stream-server-copy" />
              </InputAdornment>
            ),
          },
        }}
      />
      <TextField
        size="small"
        label="Stream Key"
        // Masked as text, not type=password: browsers would offer to save it as a password.
        value={revealed ? streamKey : MASK}
        autoComplete="off"
        slotProps={{
          htmlInput: {
            readOnly: true,
            spellCheck: false,
            'aria-label': revealed ? 'Stream Key' : 'Stream Key (hidden)',
            'data-testid': 'stream-key-value',
            'data-masked': String(!revealed),
          },
          input: {
            endAdornment: (
              <InputAdornment position="end">
                <Tooltip title={revealed ? 'Hide stream key' : 'Show stream key'}>
                  <IconButton
                    onClick={() => setRevealed((r) => !r)}
                    aria-label={revealed ? 'Hide stream key' : 'Show stream key'}
                    aria-pressed={revealed}
                    data-testid="stream-key-reveal"
                  >
                    {revealed ? (
                      <VisibilityOffIcon fontSize="small" />
                    ) : (
                      <VisibilityIcon fontSize="small" />
                    )}
                  </IconButton>
                </Tooltip>
                <CopyButton text={streamKey} label="Copy stream key" testId="stream-key-copy" />
              </InputAdornment>
            ),
          },
        }}
      />
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <Alert severity="warning" sx={{ flex: 1, py: 0 }}>
          Anyone with the stream key can broadcast to this class. Keep it private.
        </Alert>
        <Button
          color="warning"
          variant="outlined"
          onClick={() => setConfirmRotate(true)}
          data-testid="stream-key-rotate"
        >
          Rotate
        </Button>
      </Stack>
      <ConfirmDialog
        open={confirmRotate}
        title="Rotate the stream key?"
        confirmLabel="Rotate key"
        destructive
        onClose={() => setConfirmRotate(false)}
        onConfirm={rotate}
      >
        The current key stops working immediately: a running broadcast using it is cut off and OBS
        needs the new key.
      </ConfirmDialog>
    </Stack>
  );
}
