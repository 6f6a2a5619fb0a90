import { useState } from 'react';
import type { ClassInfo, UpdateClassRequest } from '@educloud/protocol';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import EditOutlinedIcon from '@mui/icons-material/EditOutlined';
import ExpandLessIcon from '@mui/icons-material/ExpandLess';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import GroupIcon from '@mui/icons-material/Group';
import LaunchIcon from '@mui/icons-material/Launch';
import VideocamOutlinedIcon from '@mui/icons-material/VideocamOutlined';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Collapse from '@mui/material/Collapse';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { deleteClass, updateClass } from '../api/classes-api.js';
import { useApi } from '../auth/session-context.js';
import { ClassFormDialog } from './class-form-dialog.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { InvitePanel } from './invite-panel.js';
import { useNotify } from './notify-context.js';
import { ObsSetupPanel } from './obs-setup-panel.js';
import { RosterDialog } from './roster-dialog.js';
import { ScheduleLine } from './schedule-line.js';

interface TeacherClassCardProps {
  cls: ClassInfo;
  onChanged(cls: ClassInfo): void;
  onDeleted(id: string): void;
}

/** One class on the teacher's dashboard, with everything needed to run it. */
export function TeacherClassCard({ cls, onChanged, onDeleted }: TeacherClassCardProps) {
  const api = useApi();
  const notify = useNotify();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [rosterOpen, setRosterOpen] = useState(false);
  const [obsOpen, setObsOpen] = useState(false);

  const save = async (body: UpdateClassRequest) => {
    onChanged(await updateClass(api, cls.id, body));
    notify('Class saved');
  };
  const remove = async () => {
    await deleteClass(api, cls.id);
    onDeleted(cls.id);
    notify('Class deleted', 'info');
  };

  return (
    <Card data-testid={`class-row-${cls.title}`} data-class-id={cls.id} component="article">
      <CardContent sx={{ pb: 1 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
          <Box sx={{ flex: 1, minWidth: 0 }}>
            <Link
              component={RouterLink}
              to={`/classes/${cls.id}`}
              variant="h6"
              underline="hover"
              color="inherit"
              data-testid="class-link"
            >
              {cls.title}
            </Link>
            <ScheduleLine
              start={cls.scheduledStart}
              end={cls.scheduledEnd}
              testId="class-schedule"
              mt={0.5}
            />
          </Box>
          <Tooltip title="Edit class">
            <IconButton
              onClick={() => setEditing(true)}
              aria-label={`Edit ${cls.title}`}
              data-testid="class-edit"
            >
              <EditOutlinedIcon />
            </IconButton>
          </Tooltip>
          <Tooltip title="Delete class">
            <IconButton
              onClick={() => setDeleting(true)}
              aria-label={`Delete ${cls.title}`}
              data-testid="class-delete"
              color="error"
            >
              <DeleteOutlinedIcon />
            </IconButton>
          </Tooltip>
        </Stack>
        {cls.description && (
          <Typography
            variant="body2"
            sx={{
              mt: 1.5,
              whiteSpace: 'pre-wrap',
              display: '-webkit-box',
              WebkitLineClamp: 3,
              WebkitBoxOrient: 'vertical',
              overflow: 'hidden',
            }}
          >
            {cls.description}
          </Typography>
        )}
        <Divider sx={{ my: 2 }} />
        <InvitePanel
          classId={cls.id}
          inviteUrl={cls.inviteUrl ?? null}
          onChange={(inviteUrl) => onChanged({ ...cls, inviteUrl })}
        />
      </CardContent>
      <CardActions sx={{ px: 2, pb: 2, flexWrap: 'wrap', gap: 1 }}>
        <Button
          component={RouterLink}
          to={`/classes/${cls.id}`}
          variant="contained"
          startIcon={<LaunchIcon />}
          data-testid="class-open"
        >
          Open class
        </Button>
        <Button
          onClick={() => setObsOpen((o) => !o)}
          startIcon={<VideocamOutlinedIcon />}
          endIcon={obsOpen ? <ExpandLessIcon /> : <ExpandMoreIcon />}
          aria-expanded={obsOpen}
          aria-controls={`obs-${cls.id}`}
          data-testid="obs-setup-toggle"
        >
          OBS setup
        </Button>
        <Button
          onClick={() => setRosterOpen(true)}
          startIcon={<GroupIcon />}
          data-testid="roster-open"
        >
          Roster
        </Button>
      </CardActions>
      <Collapse in={obsOpen} unmountOnExit id={`obs-${cls.id}`}>
        <Box sx={{ px: 2, pb: 2 }}>
          <ObsSetupPanel classId={cls.id} />
        </Box>
      </Collapse>

      {editing && (
        <ClassFormDialog open initial={cls} onClose={() => setEditing(false)} onUpdate={save} />
      )}
      {rosterOpen && (
        <RosterDialog classId={cls.id} title={cls.title} onClose={() => setRosterOpen(false)} />
      )}
      <ConfirmDialog
        open={deleting}
        title={`Delete “${cls.title}”?`}
        confirmLabel="Delete class"
        destructive
        onClose={() => setDeleting(false)}
        onConfirm={remove}
      >
        The class, its invite link and its stream key are removed for everyone. This cannot be
        undone.
      </ConfirmDialog>
    </Card>
  );
}
