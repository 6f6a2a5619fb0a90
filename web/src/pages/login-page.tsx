import { useState, type FormEvent } from 'react';
import { loginRequestSchema } from '@educloud/protocol';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { Navigate, Link as RouterLink, useNavigate, useSearchParams } from 'react-router';
import { login } from '../api/auth-api.js';
import { safeNextPath } from '../auth/next-path.js';
import { useApi, useSession } from '../auth/session-context.js';
import { AuthCard } from '../components/auth-card.js';
import { FormErrorSummary } from '../components/form-error-summary.js';
import { useFormErrors } from '../lib/use-form-errors.js';
import { useDocumentTitle } from '../lib/use-document-title.js';

const FIELDS = ['email', 'password'] as const;

export function LoginPage() {
  useDocumentTitle('Log in');
  const api = useApi();
  const { session, endReason } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);

  if (session && !busy) return <Navigate to={next} replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = loginRequestSchema.safeParse({ email, password });
    if (!parsed.success) return errors.fromIssues(parsed.error.issues);
    errors.clear();
    setBusy(true);
    try {
      await login(api, parsed.data);
      navigate(next, { replace: true });
    } catch (err) {
      errors.fromError(err);
    } finally {
      setBusy(false);
    }
  };

  const signupLink = params.get('next') ? `/signup?next=${encodeURIComponent(next)}` : '/signup';
  return (
    <AuthCard title="Log in" subtitle="Welcome back to EduCloud Live.">
      <Stack component="form" spacing={2.5} onSubmit={onSubmit} noValidate>
        {endReason === 'expired' && !errors.form && (
          <Alert severity="info" data-testid="session-expired">
            Your session has ended. Please log in again.
          </Alert>
        )}
        <FormErrorSummary message={errors.form} other={errors.other} />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          autoFocus
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={!!errors.field.email}
          helperText={errors.field.email}
          slotProps={{ htmlInput: { 'data-testid': 'login-email' } }}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={!!errors.field.password}
          helperText={errors.field.password}
          slotProps={{ htmlInput: { 'data-testid': 'login-password' } }}
        />
        <Button
          type="submit"
          variant="contained"
          size="large"
          disabled={busy}
          data-testid="login-submit"
        >
          {busy ? 'Logging in…' : 'Log in'}
        </Button>
        <Typography variant="body2" sx={{ textAlign: 'center' }}>
          New here?{' '}
          <Link component={RouterLink} to={signupLink} data-testid="login-to-signup">
            Create an account
          </Link>
        </Typography>
      </Stack>
    </AuthCard>
  );
}
