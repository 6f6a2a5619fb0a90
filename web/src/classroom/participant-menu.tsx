import MoreVertIcon from '@mui/icons-material/MoreVert';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import type { PeerInfo } from '@educloud/protocol';
import { useState } from 'react';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import type { LiveSession } from '../live/live-session.js';

/** A teacher's actions on one participant; each one is enforced by the server. */
export function ParticipantMenu({
  peer,
  session,
  onError,
}: {
  peer: PeerInfo;
  session: LiveSession;
  onError: (message: string) => void;
}) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const request = session.signaling.request.bind(session.signaling);
  const run = (action: () => Promise<unknown>) => {
    setAnchor(null);
    action().catch((err: Error) => onError(err.message));
  };
  const student = peer.role === 'student';
  const { peerId } = peer;

  return (
    <>
      <IconButton
        size="small"
        aria-label={`Actions for ${peer.name}`}
        aria-haspopup="menu"
        data-testid={`participant-menu-${peer.name}`}
        onClick={(e) => setAnchor(e.currentTarget)}
      >
        <MoreVertIcon fontSize="small" />
      </IconButton>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {student && !peer.forcedMute && (
          <MenuItem
            data-testid="action-mute"
            onClick={() => run(() => request('moderation:mute', { peerId }))}
          >
            Mute
          </MenuItem>
        )}
        {student && peer.forcedMute && (
          <MenuItem
            data-testid="action-allow-unmute"
            onClick={() => run(() => request('moderation:allowUnmute', { peerId }))}
          >
            Allow to unmute
          </MenuItem>
        )}
        {student && peer.forcedMute && (
          <MenuItem
            data-testid="action-ask-unmute"
            onClick={() => run(() => request('moderation:askUnmute', { peerId }))}
          >
            Ask to unmute
          </MenuItem>
        )}
        {student && (
          <MenuItem
            data-testid="action-stop-camera"
            onClick={() => run(() => request('moderation:stopCamera', { peerId }))}
          >
            Stop camera
          </MenuItem>
        )}
        {peer.handRaised && (
          <MenuItem
            data-testid="action-lower-hand"
            onClick={() => run(() => request('hand:lower', { peerId }))}
          >
            Lower hand
          </MenuItem>
        )}
        <MenuItem
          data-testid="action-set-role"
          onClick={() =>
            run(() =>
              request('moderation:setRole', {
                userId: peer.userId,
                role: student ? 'teacher' : 'student',
              }),
            )
          }
        >
          {student ? 'Make co-teacher' : 'Make student'}
        </MenuItem>
        {student && <Divider />}
        {student && (
          <MenuItem
            data-testid="action-remove"
            sx={{ color: 'error.main' }}
            onClick={() => {
              setAnchor(null);
              setConfirmRemove(true);
            }}
          >
            Remove from class…
          </MenuItem>
        )}
      </Menu>
      <ConfirmDialog
        open={confirmRemove}
        title={`Remove ${peer.name}?`}
        confirmLabel="Remove"
        destructive
        onClose={() => setConfirmRemove(false)}
        onConfirm={async () => {
          await request('moderation:kick', { peerId });
        }}
      >
        {peer.name} leaves this class session and cannot come back into it.
      </ConfirmDialog>
    </>
  );
}
