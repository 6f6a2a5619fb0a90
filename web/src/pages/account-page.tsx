import { useState, type FormEvent } from 'react';
import { changePasswordRequestSchema } from '@educloud/protocol';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useNavigate } from 'react-router';
import { changePassword, logoutEverywhere } from '../api/auth-api.js';
import { useApi, useSession } from '../auth/session-context.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { FormErrorSummary } from '../components/form-error-summary.js';
import { useNotify } from '../components/notify-context.js';
import { useDocumentTitle } from '../lib/use-document-title.js';
import { useFormErrors } from '../lib/use-form-errors.js';

const FIELDS = ['currentPassword', 'newPassword'] as const;

/** The account's security: change the password, end every session. */
export function AccountPage() {
  useDocumentTitle('Account');
  const api = useApi();
  const { user } = useSession();
  const notify = useNotify();
  const navigate = useNavigate();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const errors = useFormErrors(FIELDS);

  const onChangePassword = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = changePasswordRequestSchema.safeParse({ currentPassword, newPassword });
    if (!parsed.success) return errors.fromIssues(parsed.error.issues);
    errors.clear();
    setBusy(true);
    try {
      await changePassword(api, parsed.data);
      setCurrentPassword('');
      setNewPassword('');
      notify('Password changed. Other devices have been logged out.', 'success');
    } catch (err) {
      errors.fromError(err);
    } finally {
      setBusy(false);
    }
  };

  const onLogoutEverywhere = async () => {
    await logoutEverywhere(api);
    setConfirming(false);
    navigate('/login', { replace: true });
  };

  return (
    <Stack spacing={3} sx={{ maxWidth: 520 }}>
      <Typography variant="h4" component="h1">
        Account
      </Typography>
      <Typography color="text.secondary">
        {user?.displayName} · {user?.email}
      </Typography>
      <Paper variant="outlined" sx={{ p: 3 }}>
        <Stack component="form" spacing={2} onSubmit={onChangePassword} noValidate>
          <Typography variant="h6" component="h2">
            Change password
          </Typography>
          <FormErrorSummary message={errors.form} other={errors.other} />
          <TextField
            label="Current password"
            type="password"
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrentPassword(e.target.value)}
            error={!!errors.field.currentPassword}
            helperText={errors.field.currentPassword}
            slotProps={{ htmlInput: { 'data-testid': 'account-current-password' } }}
          />
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
            error={!!errors.field.newPassword}
            helperText={errors.field.newPassword ?? 'At least 8 characters'}
            slotProps={{ htmlInput: { 'data-testid': 'account-new-password' } }}
          />
          <Button
            type="submit"
            variant="contained"
            disabled={busy}
            data-testid="account-change-password"
            sx={{ alignSelf: 'flex-start' }}
          >
            {busy ? 'Changing…' : 'Change password'}
          </Button>
        </Stack>
        <Divider sx={{ my: 3 }} />
        <Stack spacing={1.5}>
          <Typography variant="h6" component="h2">
            Log out everywhere
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Ends every session of this account on every device, this one included, and closes its
            live class connections.
          </Typography>
          <Button
            color="error"
            variant="outlined"
            onClick={() => setConfirming(true)}
            data-testid="account-logout-everywhere"
            sx={{ alignSelf: 'flex-start' }}
          >
            Log out everywhere
          </Button>
        </Stack>
      </Paper>
      <ConfirmDialog
        open={confirming}
        title="Log out everywhere?"
        confirmLabel="Log out everywhere"
        destructive
        onConfirm={onLogoutEverywhere}
        onClose={() => setConfirming(false)}
      >
        Every device signed in to this account will have to log in again.
      </ConfirmDialog>
    </Stack>
  );
}
