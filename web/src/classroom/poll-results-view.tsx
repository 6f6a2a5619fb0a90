import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { PollInfo, PollResults } from '@educloud/protocol';

/** Votes per option as bars; for named polls (teachers) who chose each option. */
export function PollResultsView({ poll, results }: { poll: PollInfo; results: PollResults }) {
  return (
    <Stack spacing={1} data-testid="poll-results" data-voters={results.voters}>
      {poll.options.map((option, i) => {
        const count = results.counts[i] ?? 0;
        const pct = results.voters ? Math.round((100 * count) / results.voters) : 0;
        const right = poll.correct?.includes(i) ?? false;
        const names = results.byOption?.[i]?.map((v) => v.name).join(', ');
        return (
          <Box key={i}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Typography variant="body2" sx={{ flex: 1 }}>
                {option}
                {right && (
                  <CheckCircleIcon
                    color="success"
                    fontSize="inherit"
                    aria-label="Right answer"
                    sx={{ ml: 0.5, verticalAlign: 'middle' }}
                  />
                )}
              </Typography>
              <Typography variant="body2" color="text.secondary" data-testid={`poll-count-${i}`}>
                {count} ({pct}%)
              </Typography>
            </Stack>
            <LinearProgress
              variant="determinate"
              value={pct}
              color={right ? 'success' : 'primary'}
              aria-label={`${option}: ${count} of ${results.voters} votes`}
            />
            {names && (
              <Typography variant="caption" color="text.secondary">
                {names}
              </Typography>
            )}
          </Box>
        );
      })}
      <Typography variant="caption" color="text.secondary">
        {results.voters} {results.voters === 1 ? 'person has' : 'people have'} answered
      </Typography>
    </Stack>
  );
}
