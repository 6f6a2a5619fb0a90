import { useState, type FormEvent } from 'react';
import { guestJoinRequestSchema } from '@educloud/protocol';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { Link as RouterLink, useNavigate, useParams } from 'react-router';
import { ApiError, errorMessage } from '../api/api-error.js';
import { joinAsGuest, joinWithInvite, previewInvite } from '../api/invites-api.js';
import { useApi, useSession } from '../auth/session-context.js';
import { AuthCard } from '../components/auth-card.js';
import { FormErrorSummary } from '../components/form-error-summary.js';
import { useFormErrors } from '../lib/use-form-errors.js';
import { useResource } from '../lib/use-resource.js';
import { useDocumentTitle } from '../lib/use-document-title.js';
import { ScheduleLine } from '../components/schedule-line.js';

const FIELDS = ['displayName'] as const;

export function JoinPage() {
  const { code = '' } = useParams();
  const api = useApi();
  const preview = useResource(`invite:${code}`, () => previewInvite(api, code));
  useDocumentTitle(preview.data ? `Join ${preview.data.title}` : 'Join a class');

  if (preview.error) {
    const gone =
      preview.error instanceof ApiError &&
      (preview.error.status === 404 || preview.error.code === 'validation_failed');
    return (
      <AuthCard title={gone ? 'Invite link not valid' : 'Cannot open the invite'}>
        <Alert severity={gone ? 'warning' : 'error'} data-testid="invite-invalid">
          {gone
            ? 'This invite link is unknown or was turned off by the teacher. Ask them for a new link.'
            : errorMessage(preview.error)}
        </Alert>
        {!gone && (
          <Button onClick={preview.reload} sx={{ mt: 2 }}>
            Retry
          </Button>
        )}
      </AuthCard>
    );
  }
  if (!preview.data) {
    return (
      <AuthCard title="Joining a class…">
        <Skeleton variant="rounded" height={160} />
      </AuthCard>
    );
  }

  const cls = preview.data;
  return (
    <AuthCard title="You are invited to a class">
      <Stack spacing={3}>
        <Stack spacing={1}>
          <Typography
            variant="h6"
            component="h2"
            data-testid="invite-class-title"
            sx={{ wordBreak: 'break-word' }}
          >
            {cls.title}
          </Typography>
          <ScheduleLine start={cls.scheduledStart} end={cls.scheduledEnd} />
          {cls.description && (
            <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
              {cls.description}
            </Typography>
          )}
        </Stack>
        <Divider />
        <JoinActions code={code} classId={cls.id} />
      </Stack>
    </AuthCard>
  );
}

function JoinActions({ code, classId }: { code: string; classId: string }) {
  const api = useApi();
  const navigate = useNavigate();
  const { session, user, guestClassId } = useSession();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);

  const joinClass = async () => {
    setBusy(true);
    errors.clear();
    try {
      const cls = await joinWithInvite(api, code);
      navigate(`/classes/${cls.id}`);
    } catch (err) {
      errors.fromError(err);
      setBusy(false);
    }
  };

  const joinGuest = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = guestJoinRequestSchema.safeParse({ displayName: name });
    if (!parsed.success) return errors.fromIssues(parsed.error.issues);
    setBusy(true);
    errors.clear();
    try {
      const guest = await joinAsGuest(api, code, parsed.data);
      navigate(`/classes/${guest.response.classId}`);
    } catch (err) {
      errors.fromError(err);
      setBusy(false);
    }
  };

  if (session) {
    return (
      <Stack spacing={2}>
        <FormErrorSummary message={errors.form} other={errors.other} />
        <Typography variant="body2" color="text.secondary">
          Joining as <strong>{user?.displayName}</strong>.
        </Typography>
        <Button
          variant="contained"
          size="large"
          onClick={joinClass}
          disabled={busy}
          data-testid="join-class"
        >
          {busy ? 'Joining…' : 'Join class'}
        </Button>
      </Stack>
    );
  }

  const next = encodeURIComponent(`/join/${code}`);
  return (
    <Stack spacing={2.5}>
      {guestClassId === classId && user && (
        <Button
          variant="outlined"
          component={RouterLink}
          to={`/classes/${classId}`}
          data-testid="guest-continue"
        >
          Continue as {user.displayName}
        </Button>
      )}
      <Stack component="form" spacing={2} onSubmit={joinGuest} noValidate>
        <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
          Join as guest
        </Typography>
        <FormErrorSummary message={errors.form} other={errors.other} />
        <TextField
          label="Your name"
          autoComplete="name"
          required
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={!!errors.field.displayName}
          helperText={errors.field.displayName ?? 'Shown to the teacher and the class'}
          slotProps={{ htmlInput: { 'data-testid': 'guest-name', maxLength: 60 } }}
        />
        <Button
          type="submit"
          variant="contained"
          size="large"
          disabled={busy}
          data-testid="guest-join"
        >
          {busy ? 'Joining…' : 'Join as guest'}
        </Button>
      </Stack>
      <Typography variant="body2" sx={{ textAlign: 'center' }}>
        Have an account?{' '}
        <Link component={RouterLink} to={`/login?next=${next}`} data-testid="join-login-link">
          Log in
        </Link>{' '}
        or{' '}
        <Link component={RouterLink} to={`/signup?next=${next}`} data-testid="join-signup-link">
          sign up
        </Link>{' '}
        to keep this class in your list.
      </Typography>
    </Stack>
  );
}
