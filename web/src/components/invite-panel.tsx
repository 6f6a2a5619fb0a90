import { useState, type FocusEvent } from 'react';
import LinkOffIcon from '@mui/icons-material/LinkOff';
import RefreshIcon from '@mui/icons-material/Refresh';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { regenerateInvite, revokeInvite } from '../api/classes-api.js';
import { useApi } from '../auth/session-context.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { CopyButton } from './copy-button.js';
import { useNotify } from './notify-context.js';

interface InvitePanelProps {
  classId: string;
  inviteUrl: string | null;
  onChange(inviteUrl: string | null): void;
}

/** The class's invite link: copy it, replace it (old link stops working) or switch it off. */
export function InvitePanel({ classId, inviteUrl, onChange }: InvitePanelProps) {
  const api = useApi();
  const notify = useNotify();
  const [confirm, setConfirm] = useState<'regenerate' | 'revoke' | null>(null);

  const regenerate = async () => {
    onChange(await regenerateInvite(api, classId));
    notify('New invite link created');
  };
  const revoke = async () => {
    onChange(await revokeInvite(api, classId));
    notify('Invite link turned off', 'info');
  };

  return (
    <Stack spacing={1}>
      <Typography variant="subtitle2" component="h3">
        Invite link
      </Typography>
      {inviteUrl ? (
        <Stack
          direction={{ xs: 'column', sm: 'row' }}
          spacing={1}
          sx={{ alignItems: { sm: 'center' } }}
        >
          <TextField
            size="small"
            value={inviteUrl}
            label="Anyone with this link can join"
            slotProps={{
              htmlInput: {
                readOnly: true,
                'data-testid': 'invite-url',
                onFocus: (e: FocusEvent<HTMLInputElement>) => e.target.select(),
              },
            }}
          />
          <Stack direction="row" spacing={1} sx={{ flexShrink: 0 }}>
            <CopyButton
              text={inviteUrl}
              label="Copy invite link"
              testId="copy-invite"
              withText="Copy link"
            />
            <Button
              onClick={() => setConfirm('regenerate')}
              startIcon={<RefreshIcon />}
              data-testid="invite-regenerate"
            >
              New link
            </Button>
            <Button
              color="error"
              onClick={() => setConfirm('revoke')}
              startIcon={<LinkOffIcon />}
              data-testid="invite-revoke"
            >
              Turn off
            </Button>
          </Stack>
        </Stack>
      ) : (
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
          <Typography variant="body2" color="text.secondary" data-testid="invite-off">
            The invite link is off: nobody new can join.
          </Typography>
          <Button
            onClick={() => regenerate().catch(() => notify('Could not create a link', 'error'))}
            startIcon={<RefreshIcon />}
            data-testid="invite-regenerate"
          >
            Create link
          </Button>
        </Stack>
      )}
      <ConfirmDialog
        open={confirm === 'regenerate'}
        title="Create a new invite link?"
        confirmLabel="Create new link"
        onClose={() => setConfirm(null)}
        onConfirm={regenerate}
      >
        The current link stops working. People who already joined stay in the class.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'revoke'}
        title="Turn off the invite link?"
        confirmLabel="Turn off"
        destructive
        onClose={() => setConfirm(null)}
        onConfirm={revoke}
      >
        Nobody can join with the current link anymore. You can create a new link later.
      </ConfirmDialog>
    </Stack>
  );
}
