import { useState, type FormEvent } from 'react';
import {
  createClassRequestSchema,
  updateClassRequestSchema,
  type ClassInfo,
  type CreateClassRequest,
  type UpdateClassRequest,
} from '@educloud/protocol';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { isoToLocalInput, localInputToIso } from '../lib/datetime.js';
import { useFormErrors } from '../lib/use-form-errors.js';
import { FormErrorSummary } from './form-error-summary.js';

const FIELDS = ['title', 'description', 'scheduledStart', 'scheduledEnd'] as const;
const LABELS = { scheduledStart: 'the start', scheduledEnd: 'the end' };

interface ClassFormDialogProps {
  open: boolean;
  /** The class to edit; absent to create one. */
  initial?: ClassInfo;
  onClose(): void;
  onCreate?(body: CreateClassRequest): Promise<void>;
  onUpdate?(body: UpdateClassRequest): Promise<void>;
}

/** Create or edit a class. Mount it per opening (key) so it starts from `initial`. */
export function ClassFormDialog({
  open,
  initial,
  onClose,
  onCreate,
  onUpdate,
}: ClassFormDialogProps) {
  const [title, setTitle] = useState(initial?.title ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [start, setStart] = useState(isoToLocalInput(initial?.scheduledStart));
  const [end, setEnd] = useState(isoToLocalInput(initial?.scheduledEnd));
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS, LABELS);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const scheduledStart = localInputToIso(start);
    const scheduledEnd = localInputToIso(end);
    if (scheduledStart === undefined || scheduledEnd === undefined) {
      return errors.fromIssues([
        ...(scheduledStart === undefined
          ? [{ path: ['scheduledStart'], message: 'must be a date and time' }]
          : []),
        ...(scheduledEnd === undefined
          ? [{ path: ['scheduledEnd'], message: 'must be a date and time' }]
          : []),
      ]);
    }
    const values = { title, description, scheduledStart, scheduledEnd };
    setBusy(true);
    errors.clear();
    try {
      if (initial) {
        const changes = changedFields(initial, values);
        if (Object.keys(changes).length === 0) return onClose();
        const parsed = updateClassRequestSchema.safeParse(changes);
        if (!parsed.success) return errors.fromIssues(parsed.error.issues);
        await onUpdate?.(parsed.data);
      } else {
        const parsed = createClassRequestSchema.safeParse(values);
        if (!parsed.success) return errors.fromIssues(parsed.error.issues);
        await onCreate?.(parsed.data);
      }
      onClose();
    } catch (err) {
      errors.fromError(err);
    } finally {
      setBusy(false);
    }
  };

  const editing = !!initial;
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="class-form-title"
      data-testid="class-form"
    >
      <form onSubmit={onSubmit} noValidate>
        <DialogTitle id="class-form-title">{editing ? 'Edit class' : 'New class'}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <FormErrorSummary message={errors.form} other={errors.other} />
            <TextField
              label="Title"
              required
              autoFocus
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              error={!!errors.field.title}
              helperText={errors.field.title}
              slotProps={{ htmlInput: { 'data-testid': 'class-title', maxLength: 200 } }}
            />
            <TextField
              label="Description"
              multiline
              minRows={3}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              error={!!errors.field.description}
              helperText={errors.field.description ?? 'What students should know before class'}
              slotProps={{ htmlInput: { 'data-testid': 'class-description', maxLength: 5000 } }}
            />
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <TextField
                label="Starts"
                type="datetime-local"
                value={start}
                onChange={(e) => setStart(e.target.value)}
                error={!!errors.field.scheduledStart}
                helperText={errors.field.scheduledStart ?? 'Optional'}
                slotProps={{
                  inputLabel: { shrink: true },
                  htmlInput: { 'data-testid': 'class-start' },
                }}
              />
              <TextField
                label="Ends"
                type="datetime-local"
                value={end}
                onChange={(e) => setEnd(e.target.value)}
                error={!!errors.field.scheduledEnd}
                helperText={errors.field.scheduledEnd ?? 'Optional'}
                slotProps={{
                  inputLabel: { shrink: true },
                  htmlInput: { 'data-testid': 'class-end', min: start || undefined },
                }}
              />
            </Stack>
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onClose} disabled={busy} data-testid="class-cancel">
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={busy} data-testid="class-save">
            {editing ? 'Save' : 'Create class'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function changedFields(
  initial: ClassInfo,
  v: {
    title: string;
    description: string;
    scheduledStart: string | null;
    scheduledEnd: string | null;
  },
): UpdateClassRequest {
  const out: UpdateClassRequest = {};
  if (v.title !== initial.title) out.title = v.title;
  if (v.description !== initial.description) out.description = v.description;
  // Compare instants, not strings: the server may format the same time differently.
  if (!sameInstant(v.scheduledStart, initial.scheduledStart)) out.scheduledStart = v.scheduledStart;
  if (!sameInstant(v.scheduledEnd, initial.scheduledEnd)) out.scheduledEnd = v.scheduledEnd;
  return out;
}

function sameInstant(a: string | null, b: string | null): boolean {
  if (!a || !b) return a === b;
  // The form has minute precision; an unchanged field must not count as an edit.
  return Math.floor(Date.parse(a) / 60_000) === Math.floor(Date.parse(b) / 60_000);
}
