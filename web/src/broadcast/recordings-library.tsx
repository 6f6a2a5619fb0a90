import DeleteOutlineIcon from '@mui/icons-material/DeleteOutlined';
import DownloadIcon from '@mui/icons-material/Download';
import EditOutlinedIcon from '@mui/icons-material/EditOutlined';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { Link as RouterLink } from 'react-router';
import type { RecordingSummary } from '@educloud/protocol';
import { errorMessage } from '../api/api-error.js';
import { useApi } from '../auth/session-context.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { useNotify } from '../components/notify-context.js';
import { useResource } from '../lib/use-resource.js';
import { deleteRecording, getPlayback, listRecordings, updateRecording } from './broadcast-api.js';
import { formatBytes, formatDateTime, formatDuration } from './recording-format.js';

const STATUS_LABEL: Record<RecordingSummary['status'], string> = {
  live: 'Live',
  finalizing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
};

/** A class's recordings: everyone plays and downloads; teachers rename, publish and delete. */
export function RecordingsLibrary({ classId, isTeacher }: { classId: string; isTeacher: boolean }) {
  const api = useApi();
  const notify = useNotify();
  const list = useResource(`recordings:${classId}`, () => listRecordings(api, classId));
  const [renaming, setRenaming] = useState<RecordingSummary | null>(null);
  const [deleting, setDeleting] = useState<RecordingSummary | null>(null);

  const replace = (r: RecordingSummary) =>
    list.setData((cur) => cur?.map((x) => (x.id === r.id ? r : x)));

  const download = async (r: RecordingSummary) => {
    try {
      const p = await getPlayback(api, classId, r.id);
      // The MP4 is sent as an attachment: navigating to it downloads without leaving the page.
      if (p.mp4Url) window.location.assign(p.mp4Url);
    } catch (err) {
      notify(errorMessage(err), 'error');
    }
  };

  const togglePublic = async (r: RecordingSummary) => {
    try {
      replace(await updateRecording(api, classId, r.id, { isPublic: !r.isPublic }));
    } catch (err) {
      notify(errorMessage(err), 'error');
    }
  };

  return (
    <Stack spacing={1} data-testid="recordings-library">
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
        <Typography variant="h6" component="h2">
          Recordings
        </Typography>
        <Button size="small" onClick={list.reload}>
          Refresh
        </Button>
      </Stack>
      {list.error !== undefined && <Alert severity="error">{errorMessage(list.error)}</Alert>}
      {list.data?.length === 0 && (
        <Typography color="text.secondary" variant="body2">
          No recordings yet. Every OBS broadcast is recorded here.
        </Typography>
      )}
      <List dense disablePadding>
        {list.data?.map((r) => (
          <ListItem
            key={r.id}
            divider
            data-testid="recording-item"
            data-recording-id={r.id}
            data-status={r.status}
            secondaryAction={
              <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
                {isTeacher && (
                  <Tooltip title="Anyone with the link can watch a public recording">
                    <FormControlLabel
                      control={
                        <Switch
                          size="small"
                          checked={r.isPublic}
                          onChange={() => void togglePublic(r)}
                        />
                      }
                      label="Public"
                    />
                  </Tooltip>
                )}
                <Tooltip title="Play">
                  <span>
                    <IconButton
                      component={RouterLink}
                      to={`/classes/${classId}/recordings/${r.id}`}
                      disabled={r.status === 'failed'}
                      aria-label="Play"
                      data-testid="recording-play"
                    >
                      <PlayArrowIcon />
                    </IconButton>
                  </span>
                </Tooltip>
                <Tooltip title="Download MP4">
                  <span>
                    <IconButton
                      onClick={() => void download(r)}
                      disabled={r.status !== 'ready'}
                      aria-label="Download MP4"
                    >
                      <DownloadIcon />
                    </IconButton>
                  </span>
                </Tooltip>
                {isTeacher && (
                  <>
                    <IconButton aria-label="Rename" onClick={() => setRenaming(r)}>
                      <EditOutlinedIcon />
                    </IconButton>
                    <IconButton
                      aria-label="Delete"
                      onClick={() => setDeleting(r)}
                      disabled={r.status === 'live' || r.status === 'finalizing'}
                    >
                      <DeleteOutlineIcon />
                    </IconButton>
                  </>
                )}
              </Stack>
            }
            sx={{ pr: isTeacher ? 40 : 14 }}
          >
            <ListItemText
              primary={
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                  <span>{r.title}</span>
                  <Chip
                    size="small"
                    label={STATUS_LABEL[r.status]}
                    color={
                      r.status === 'live' ? 'error' : r.status === 'failed' ? 'warning' : 'default'
                    }
                  />
                </Stack>
              }
              secondary={`${formatDateTime(r.startedAt)} · ${formatDuration(r.durationMs)} · ${formatBytes(r.sizeBytes)}`}
            />
          </ListItem>
        ))}
      </List>
      {renaming && (
        <RenameDialog
          recording={renaming}
          onClose={() => setRenaming(null)}
          onSave={async (title) => {
            replace(await updateRecording(api, classId, renaming.id, { title }));
            setRenaming(null);
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this recording?"
        confirmLabel="Delete"
        destructive
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await deleteRecording(api, classId, deleting.id);
          list.setData((cur) => cur?.filter((x) => x.id !== deleting.id));
          setDeleting(null);
        }}
      >
        “{deleting?.title}” and its video files are removed for everyone. This cannot be undone.
      </ConfirmDialog>
    </Stack>
  );
}

function RenameDialog({
  recording,
  onClose,
  onSave,
}: {
  recording: RecordingSummary;
  onClose(): void;
  onSave(title: string): Promise<void>;
}) {
  const [title, setTitle] = useState(recording.title);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await onSave(title);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Rename recording</DialogTitle>
      <DialogContent>
        <TextField
          autoFocus
          fullWidth
          margin="dense"
          label="Title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          slotProps={{ htmlInput: { maxLength: 300 } }}
          error={error !== null}
          helperText={error ?? ' '}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void save();
          }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button onClick={() => void save()} disabled={busy || title.trim().length === 0}>
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
