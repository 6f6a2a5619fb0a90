import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { WaitingEntry } from '@educloud/protocol';
import { useState } from 'react';
import type { LiveSession } from '../live/live-session.js';

/** Teachers: who waits to come in, to admit one by one or all at once, or turn away. */
export function WaitingRoomList({
  session,
  waiting,
}: {
  session: LiveSession;
  waiting: WaitingEntry[];
}) {
  const [error, setError] = useState<string | null>(null);
  const run = (action: Promise<unknown>) =>
    void action.catch((err: Error) => setError(err.message));
  const request = session.signaling.request.bind(session.signaling);
  if (waiting.length === 0 && !error) return null;
  return (
    <Box component="section" aria-label="Waiting room" data-testid="waiting-room">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          Waiting to join ({waiting.length})
        </Typography>
        {waiting.length > 1 && (
          <Button size="small" onClick={() => run(request('waiting:admitAll', {}))}>
            Admit all
          </Button>
        )}
      </Stack>
      <Box component="ul" sx={{ m: 0, p: 0 }}>
        {waiting.map((w) => (
          <Box
            component="li"
            key={w.userId}
            data-testid={`waiting-${w.name}`}
            sx={{ listStyle: 'none', display: 'flex', alignItems: 'center', gap: 1, py: 0.25 }}
          >
            <Typography variant="body2" sx={{ flex: 1 }} noWrap>
              {w.name}
            </Typography>
            <Button
              size="small"
              variant="contained"
              aria-label={`Admit ${w.name}`}
              data-testid="waiting-admit"
              onClick={() => run(request('waiting:admit', { userId: w.userId }))}
            >
              Admit
            </Button>
            <Button
              size="small"
              color="error"
              aria-label={`Deny ${w.name}`}
              onClick={() => run(request('waiting:deny', { userId: w.userId }))}
            >
              Deny
            </Button>
          </Box>
        ))}
      </Box>
      {error && (
        <Alert severity="warning" onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
    </Box>
  );
}
