import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Paper from '@mui/material/Paper';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { PollInfo, PollResults } from '@educloud/protocol';
import { useState } from 'react';
import type { LiveSession } from '../live/live-session.js';
import { PollResultsView } from './poll-results-view.js';

/**
 * One poll. Students answer (and may change their answer) while it is open; teachers watch
 * the results come in, close the poll and share its results with the class.
 */
export function PollCard({
  poll,
  results,
  isTeacher,
  session,
}: {
  poll: PollInfo;
  results: PollResults | undefined;
  isTeacher: boolean;
  session: LiveSession;
}) {
  const [choices, setChoices] = useState<number[]>(poll.myChoices ?? []);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const open = poll.status === 'open';
  const headingId = `poll-${poll.id}-question`;

  const run = async (action: Promise<unknown>, after?: () => void) => {
    setError(null);
    try {
      await action;
      after?.();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const vote = () =>
    run(session.signaling.request('poll:vote', { pollId: poll.id, choices }), () => {
      session.classroom.voted(poll.id, choices);
      setSaved(true);
    });

  const toggle = (i: number, on: boolean) => {
    setSaved(false);
    setChoices((c) =>
      poll.multiple ? (on ? [...c, i].sort() : c.filter((x) => x !== i)) : on ? [i] : [],
    );
  };

  return (
    <Paper
      variant="outlined"
      sx={{ p: 1.5 }}
      component="section"
      aria-labelledby={headingId}
      data-testid="poll-card"
      data-poll-status={poll.status}
    >
      <Stack spacing={1}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography id={headingId} variant="subtitle1" sx={{ flex: 1 }}>
            {poll.question}
          </Typography>
          <Chip
            size="small"
            label={open ? 'Open' : 'Closed'}
            color={open ? 'success' : 'default'}
          />
          {poll.anonymous && <Chip size="small" variant="outlined" label="Anonymous" />}
          {poll.correct && <Chip size="small" variant="outlined" label="Quiz" />}
        </Stack>

        {!isTeacher && open && (
          <>
            {poll.multiple ? (
              <FormGroup aria-labelledby={headingId}>
                {poll.options.map((o, i) => (
                  <FormControlLabel
                    key={i}
                    label={o}
                    control={
                      <Checkbox
                        checked={choices.includes(i)}
                        onChange={(e) => toggle(i, e.target.checked)}
                        slotProps={{ input: { 'data-testid': `poll-choice-${i}` } as object }}
                      />
                    }
                  />
                ))}
              </FormGroup>
            ) : (
              <RadioGroup
                aria-labelledby={headingId}
                value={choices[0] ?? ''}
                onChange={(e) => toggle(Number(e.target.value), true)}
              >
                {poll.options.map((o, i) => (
                  <FormControlLabel
                    key={i}
                    value={i}
                    label={o}
                    control={
                      <Radio
                        slotProps={{ input: { 'data-testid': `poll-choice-${i}` } as object }}
                      />
                    }
                  />
                ))}
              </RadioGroup>
            )}
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Button
                variant="contained"
                size="small"
                disabled={choices.length === 0}
                onClick={() => void vote()}
                data-testid="poll-vote"
              >
                {poll.myChoices ? 'Change my answer' : 'Send my answer'}
              </Button>
              {(saved || poll.myChoices) && (
                <Typography variant="body2" color="text.secondary" role="status">
                  Your answer is saved. You can change it until the poll closes.
                </Typography>
              )}
            </Stack>
          </>
        )}
        {!isTeacher && !open && !results && (
          <Typography variant="body2" color="text.secondary">
            This poll is closed.
          </Typography>
        )}

        {results && <PollResultsView poll={poll} results={results} />}

        {isTeacher && (
          <Stack direction="row" spacing={1}>
            {open && (
              <Button
                size="small"
                variant="outlined"
                onClick={() =>
                  void run(session.signaling.request('poll:close', { pollId: poll.id }))
                }
                data-testid="poll-close"
              >
                Close poll
              </Button>
            )}
            {!poll.shared && (
              <Button
                size="small"
                variant="outlined"
                onClick={() =>
                  void run(session.signaling.request('poll:share', { pollId: poll.id }))
                }
                data-testid="poll-share"
              >
                Share results with the class
              </Button>
            )}
            {poll.shared && <Chip size="small" label="Results shared" />}
          </Stack>
        )}
        {error && (
          <Alert severity="warning" onClose={() => setError(null)}>
            {error}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
