import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import { pollLimits } from '@educloud/protocol';
import { useState, type FormEvent } from 'react';
import type { LiveSession } from '../live/live-session.js';

/**
 * A teacher asks a question: 2–8 options, single or multiple choice, anonymous or named, and
 * optionally the right answers (a quiz).
 */
export function PollCreateDialog({
  open,
  session,
  onClose,
}: {
  open: boolean;
  session: LiveSession;
  onClose: () => void;
}) {
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [quiz, setQuiz] = useState(false);
  const [correct, setCorrect] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reset = () => {
    setQuestion('');
    setOptions(['', '']);
    setMultiple(false);
    setAnonymous(false);
    setQuiz(false);
    setCorrect([]);
    setError(null);
  };

  const toggleCorrect = (i: number) =>
    setCorrect((c) =>
      c.includes(i) ? c.filter((x) => x !== i) : multiple ? [...c, i].sort() : [i],
    );

  const removeOption = (i: number) => {
    setOptions((o) => o.filter((_, j) => j !== i));
    setCorrect((c) => c.filter((x) => x !== i).map((x) => (x > i ? x - 1 : x)));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (quiz && correct.length === 0) {
      setError('Mark at least one right answer, or turn the quiz off.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await session.signaling.request('poll:create', {
        question: question.trim(),
        options: options.map((o) => o.trim()),
        multiple,
        anonymous,
        ...(quiz ? { correct } : {}),
      });
      reset();
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const filled = question.trim() !== '' && options.every((o) => o.trim() !== '');
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <form onSubmit={(e) => void submit(e)} data-testid="poll-create-form">
        <DialogTitle>New poll</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {error && <Alert severity="error">{error}</Alert>}
            <TextField
              label="Question"
              required
              autoFocus
              value={question}
              onChange={(e) => setQuestion(e.target.value)}
              slotProps={{
                htmlInput: { maxLength: pollLimits.questionLength, 'data-testid': 'poll-question' },
              }}
            />
            {options.map((o, i) => (
              <Stack key={i} direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                {quiz && (
                  <Checkbox
                    checked={correct.includes(i)}
                    onChange={() => toggleCorrect(i)}
                    slotProps={{ input: { 'aria-label': `Option ${i + 1} is a right answer` } }}
                  />
                )}
                <TextField
                  label={`Option ${i + 1}`}
                  required
                  fullWidth
                  size="small"
                  value={o}
                  onChange={(e) =>
                    setOptions((all) => all.map((x, j) => (j === i ? e.target.value : x)))
                  }
                  slotProps={{
                    htmlInput: {
                      maxLength: pollLimits.optionLength,
                      'data-testid': `poll-option-${i}`,
                    },
                  }}
                />
                <Tooltip title="Remove this option">
                  <span>
                    <IconButton
                      aria-label={`Remove option ${i + 1}`}
                      disabled={options.length <= pollLimits.minOptions}
                      onClick={() => removeOption(i)}
                    >
                      <DeleteIcon />
                    </IconButton>
                  </span>
                </Tooltip>
              </Stack>
            ))}
            <Button
              startIcon={<AddIcon />}
              disabled={options.length >= pollLimits.maxOptions}
              onClick={() => setOptions((o) => [...o, ''])}
              data-testid="poll-add-option"
              sx={{ alignSelf: 'flex-start' }}
            >
              Add an option
            </Button>
            <FormControlLabel
              control={
                <Switch
                  checked={multiple}
                  onChange={(e) => {
                    setMultiple(e.target.checked);
                    if (!e.target.checked) setCorrect((c) => c.slice(0, 1));
                  }}
                />
              }
              label="Several answers allowed"
            />
            <FormControlLabel
              control={
                <Switch checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} />
              }
              label="Anonymous (nobody sees who chose what)"
            />
            <FormControlLabel
              control={<Switch checked={quiz} onChange={(e) => setQuiz(e.target.checked)} />}
              label="Quiz: mark the right answers"
            />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="contained"
            disabled={!filled || busy}
            data-testid="poll-create-submit"
          >
            Ask the class
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
