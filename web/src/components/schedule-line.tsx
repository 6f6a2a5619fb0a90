import EventIcon from '@mui/icons-material/Event';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { formatSchedule } from '../lib/datetime.js';

/** A class's scheduled start and end, with a calendar icon. */
export function ScheduleLine({
  start,
  end,
  testId,
  mt,
}: {
  start: string | null;
  end: string | null;
  testId?: string;
  mt?: number;
}) {
  return (
    <Stack
      direction="row"
      spacing={0.75}
      sx={{ alignItems: 'center', color: 'text.secondary', mt }}
    >
      <EventIcon fontSize="small" aria-hidden />
      <Typography variant="body2" data-testid={testId}>
        {formatSchedule(start, end)}
      </Typography>
    </Stack>
  );
}
