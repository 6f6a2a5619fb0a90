import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

/** A student in the waiting room: the class opens by itself once a teacher admits them. */
export function WaitingScreen({ onLeave }: { onLeave: () => void }) {
  return (
    <Paper variant="outlined" sx={{ p: 4 }} data-testid="waiting-screen">
      <Stack spacing={2} sx={{ alignItems: 'center', textAlign: 'center' }}>
        <CircularProgress aria-hidden />
        <Typography variant="h6" component="h2" role="status">
          Waiting for the teacher to let you in
        </Typography>
        <Typography variant="body2" color="text.secondary">
          The class opens by itself as soon as the teacher admits you. Keep this page open.
        </Typography>
        <Button onClick={onLeave}>Leave</Button>
      </Stack>
    </Paper>
  );
}
