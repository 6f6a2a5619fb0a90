import { useState, type FormEvent } from 'react';
import { signupRequestSchema } from '@educloud/protocol';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Link from '@mui/material/Link';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { Navigate, Link as RouterLink, useNavigate, useSearchParams } from 'react-router';
import { signup } from '../api/auth-api.js';
import { getClientConfig } from '../api/client-config-api.js';
import { safeNextPath } from '../auth/next-path.js';
import { useApi, useSession } from '../auth/session-context.js';
import { AuthCard } from '../components/auth-card.js';
import { FormErrorSummary } from '../components/form-error-summary.js';
import { useFormErrors } from '../lib/use-form-errors.js';
import { useDocumentTitle } from '../lib/use-document-title.js';
import { useResource } from '../lib/use-resource.js';

const FIELDS = ['email', 'password', 'displayName', 'role'] as const;
type Role = 'teacher' | 'student';

export function SignupPage() {
  useDocumentTitle('Sign up');
  const api = useApi();
  const { session } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // Someone arriving from an invite link is most likely a student.
  const [role, setRole] = useState<Role>('student');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);
  const config = useResource('client-config', () => getClientConfig(api));
  const fresh = config.data?.serverFresh ?? false;
  // Until the answer arrives, offer both: the server decides anyway.
  const teacherAllowed = config.data?.teacherSignupAllowed ?? true;

  if (session && !busy) return <Navigate to={next} replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = signupRequestSchema.safeParse({
      email,
      password,
      displayName,
      role: teacherAllowed ? role : 'student',
    });
    if (!parsed.success) return errors.fromIssues(parsed.error.issues);
    errors.clear();
    setBusy(true);
    try {
      await signup(api, parsed.data);
      navigate(next, { replace: true });
    } catch (err) {
      errors.fromError(err);
    } finally {
      setBusy(false);
    }
  };

  const loginLink = params.get('next') ? `/login?next=${encodeURIComponent(next)}` : '/login';
  return (
    <AuthCard title="Create your account" subtitle="Teach live classes or join them as a student.">
      <Stack component="form" spacing={2.5} onSubmit={onSubmit} noValidate>
        <FormErrorSummary message={errors.form} other={errors.other} />
        {fresh && (
          <Alert severity="info" data-testid="signup-fresh-server">
            This server has no accounts yet: the account you create now becomes its administrator,
            who can make other accounts teachers.
          </Alert>
        )}
        {!fresh && !teacherAllowed && (
          <Typography variant="body2" color="text.secondary" data-testid="signup-students-only">
            Sign-up here is for students. Teachers get their role from an administrator.
          </Typography>
        )}
        <FormControl
          error={!!errors.field.role}
          sx={teacherAllowed && !fresh ? {} : { display: 'none' }}
        >
          <FormLabel id="signup-role-label">I am a…</FormLabel>
          <RadioGroup
            row
            aria-labelledby="signup-role-label"
            name="role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
          >
            <FormControlLabel
              value="teacher"
              control={
                <Radio slotProps={{ input: { 'data-testid': 'signup-role-teacher' } as object }} />
              }
              label="Teacher"
            />
            <FormControlLabel
              value="student"
              control={
                <Radio slotProps={{ input: { 'data-testid': 'signup-role-student' } as object }} />
              }
              label="Student"
            />
          </RadioGroup>
          {errors.field.role && <FormHelperText>{errors.field.role}</FormHelperText>}
        </FormControl>
        <TextField
          label="Display name"
          autoComplete="name"
          required
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          error={!!errors.field.displayName}
          helperText={errors.field.displayName ?? 'Shown to your class'}
          slotProps={{ htmlInput: { 'data-testid': 'signup-name', maxLength: 60 } }}
        />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={!!errors.field.email}
          helperText={errors.field.email}
          slotProps={{ htmlInput: { 'data-testid': 'signup-email' } }}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={!!errors.field.password}
          helperText={errors.field.password ?? 'At least 8 characters'}
          slotProps={{ htmlInput: { 'data-testid': 'signup-password' } }}
        />
        <Button
          type="submit"
          variant="contained"
          size="large"
          disabled={busy}
          data-testid="signup-submit"
        >
          {busy ? 'Creating account…' : 'Sign up'}
        </Button>
        <Typography variant="body2" sx={{ textAlign: 'center' }}>
          Already have an account?{' '}
          <Link component={RouterLink} to={loginLink} data-testid="signup-to-login">
            Log in
          </Link>
        </Typography>
      </Stack>
    </AuthCard>
  );
}
