import AddIcon from '@mui/icons-material/Add';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { LiveSession } from '../live/live-session.js';
import type { ClassroomSnapshot } from './classroom-store.js';
import { PollCard } from './poll-card.js';
import { PollCreateDialog } from './poll-create-dialog.js';

/** The class's polls, newest first; teachers ask new ones here. */
export function PollsPanel({
  session,
  classroom,
  isTeacher,
}: {
  session: LiveSession;
  classroom: ClassroomSnapshot;
  isTeacher: boolean;
}) {
  const [creating, setCreating] = useState(false);
  return (
    <Stack spacing={1} data-testid="polls-panel">
      {isTeacher && (
        <Button
          startIcon={<AddIcon />}
          variant="outlined"
          onClick={() => setCreating(true)}
          data-testid="poll-new"
          sx={{ alignSelf: 'flex-start' }}
        >
          New poll
        </Button>
      )}
      {classroom.polls.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          {isTeacher ? 'No polls yet.' : 'No poll right now.'}
        </Typography>
      )}
      {classroom.polls.map((p) => (
        <PollCard
          key={p.id}
          poll={p}
          results={classroom.results[p.id]}
          isTeacher={isTeacher}
          session={session}
        />
      ))}
      {isTeacher && (
        <PollCreateDialog open={creating} session={session} onClose={() => setCreating(false)} />
      )}
    </Stack>
  );
}
