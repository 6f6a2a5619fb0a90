import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import type { PeerInfo } from '@educloud/protocol';
import { useState } from 'react';
import type { LiveSnapshot, RemotePeer } from '../live/live-session.js';
import type { LiveSession } from '../live/live-session.js';
import { handQueue } from './hand-queue.js';
import { ParticipantMenu } from './participant-menu.js';
import { ParticipantRow } from './participant-row.js';

const hasLive = (peer: RemotePeer, source: 'mic' | 'camera') =>
  peer.tracks.some((t) => t.source === source && !t.paused);

/**
 * Who is in the class: role, microphone and camera, raised hands with their place in the queue
 * and, for teachers, a moderation menu per person plus "mute all" and "lower all hands".
 */
export function ParticipantsPanel({
  session,
  state,
}: {
  session: LiveSession;
  state: LiveSnapshot;
}) {
  const [error, setError] = useState<string | null>(null);
  const isTeacher = state.role === 'teacher';
  const infos: PeerInfo[] = state.peers.map((p) => p.info);
  if (state.self) infos.push(state.self);
  const queue = handQueue(infos);
  const others = [...state.peers].sort(
    (a, b) =>
      Number(b.info.role === 'teacher') - Number(a.info.role === 'teacher') ||
      (queue.get(a.info.peerId) ?? 99) - (queue.get(b.info.peerId) ?? 99) ||
      a.info.name.localeCompare(b.info.name),
  );
  const run = (action: Promise<unknown>) => action.catch((err: Error) => setError(err.message));

  return (
    <Stack spacing={1} data-testid="participants-panel">
      {isTeacher && (
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
          <Button
            size="small"
            variant="outlined"
            data-testid="mute-all"
            onClick={() => void run(session.signaling.request('moderation:muteAll', {}))}
          >
            Mute all
          </Button>
          <Button
            size="small"
            variant="outlined"
            data-testid="lower-all-hands"
            disabled={queue.size === 0}
            onClick={() => void run(session.signaling.request('hand:lowerAll', {}))}
          >
            Lower all hands
          </Button>
        </Stack>
      )}
      {error && (
        <Alert severity="warning" onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <Box component="ul" aria-label="Participants" sx={{ m: 0, p: 0 }}>
        {state.self && (
          <ParticipantRow
            info={state.self}
            label={`${state.self.name} (you)`}
            micOn={!!state.local.mic && !state.localPaused.mic}
            cameraOn={!!state.local.camera && !state.localPaused.camera}
            handPlace={queue.get(state.self.peerId)}
          />
        )}
        {others.map((p) => (
          <ParticipantRow
            key={p.info.peerId}
            info={p.info}
            label={p.info.name}
            micOn={hasLive(p, 'mic')}
            cameraOn={hasLive(p, 'camera')}
            handPlace={queue.get(p.info.peerId)}
            actions={
              isTeacher && p.info.userId !== state.self?.userId ? (
                <ParticipantMenu peer={p.info} session={session} onError={setError} />
              ) : undefined
            }
          />
        ))}
      </Box>
    </Stack>
  );
}
