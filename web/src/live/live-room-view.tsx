import CallEndIcon from '@mui/icons-material/CallEnd';
import MicIcon from '@mui/icons-material/Mic';
import MicOffIcon from '@mui/icons-material/MicOff';
import PanToolIcon from '@mui/icons-material/PanTool';
import PresentToAllIcon from '@mui/icons-material/PresentToAll';
import StopScreenShareIcon from '@mui/icons-material/StopScreenShare';
import VideocamIcon from '@mui/icons-material/Videocam';
import VideocamOffIcon from '@mui/icons-material/VideocamOff';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useCallback, useState } from 'react';
import { useSession } from '../auth/session-context.js';
import { BreakoutPanel } from '../breakouts/breakout-panel.js';
import { ClassroomSidebar } from '../classroom/classroom-sidebar.js';
import { LiveNotices } from '../classroom/live-notices.js';
import { useClassroom } from '../classroom/use-classroom.js';
import { WaitingScreen } from '../classroom/waiting-screen.js';
import { describeMediaError, openCamera, openScreen } from './media-devices.js';
import type { LiveSnapshot, RemotePeer } from './live-session.js';
import { LiveTile } from './live-tile.js';
import { TrackAudio, TrackVideo } from './track-video.js';
import { useLiveSession } from './use-live-session.js';

const endMessages: Partial<Record<LiveSnapshot['status'], string>> = {
  ended: 'The teacher ended the class.',
  replaced: 'You opened this class in another tab or window; this one has left.',
  kicked: 'A teacher removed you from the class.',
  removed: 'A teacher removed you from this class session; you cannot join it again.',
  locked: 'The teacher locked the class: nobody new can join right now.',
  denied: 'The teacher did not let you into the class.',
  revoked: 'Your session ended (logged out, password or role changed, or removed from the class).',
  left: 'You left the class.',
};

export function LiveRoomView({
  classId,
  getToken,
  camera,
  mic,
  onExit,
}: {
  classId: string;
  getToken: () => Promise<string | null>;
  camera: MediaStreamTrack | null;
  mic: MediaStreamTrack | null;
  onExit: () => void;
}) {
  const { user } = useSession();
  const { session, state } = useLiveSession(
    classId,
    getToken,
    {
      ...(camera ? { camera } : {}),
      ...(mic ? { mic } : {}),
    },
    user ? { id: user.id, name: user.displayName } : null,
  );
  const classroom = useClassroom(session.classroom);
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const onWidth = useCallback((id: string, w: number) => session.setTileWidth(id, w), [session]);

  const ended = endMessages[state.status];
  if (ended) {
    return (
      <Stack spacing={2} sx={{ alignItems: 'flex-start' }}>
        <Alert severity="info" data-testid="live-ended">
          {ended}
        </Alert>
        <Button onClick={onExit}>Back to the class page</Button>
      </Stack>
    );
  }

  if (state.status === 'waiting') return <WaitingScreen onLeave={() => void session.leave()} />;

  const isTeacher = state.role === 'teacher';
  const mayShareScreen = isTeacher || (state.live && classroom.settings.studentsMayShareScreen);
  const screens = state.peers.flatMap((p) =>
    p.tracks
      .filter((t) => t.source === 'screen' && t.kind === 'video')
      .map((t) => ({ peer: p, t })),
  );
  const teacherFirst = [...state.peers].sort(
    (a, b) => Number(b.info.role === 'teacher') - Number(a.info.role === 'teacher'),
  );
  const camOn = !!state.local.camera && !state.localPaused.camera;
  const micOn = !!state.local.mic && !state.localPaused.mic;

  const toggleCamera = async () => {
    setDeviceError(null);
    if (state.local.camera) return session.setPaused('camera', camOn);
    try {
      await session.setSource('camera', await openCamera(null));
    } catch (err) {
      setDeviceError(describeMediaError(err, 'camera'));
    }
  };
  const toggleScreen = async () => {
    setDeviceError(null);
    if (state.local.screen) return session.setSource('screen', null);
    try {
      await session.setSource('screen', await openScreen());
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'NotAllowedError')) {
        setDeviceError(describeMediaError(err, 'screen share'));
      }
    }
  };

  return (
    <Stack spacing={2} data-testid="live-room" data-status={state.status}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Chip
          color={state.live ? 'error' : 'default'}
          label={state.live ? 'Live' : 'Not started'}
          data-testid="live-status"
        />
        {state.status === 'reconnecting' && <Chip color="warning" label="Reconnecting…" />}
        {state.status === 'connecting' && <Chip label="Connecting…" />}
        <Typography variant="body2" color="text.secondary">
          {state.peers.length + 1} in the class
        </Typography>
        <Box sx={{ flex: 1 }} />
        {isTeacher && !state.live && (
          <Button
            variant="contained"
            color="error"
            data-testid="start-class"
            onClick={() => void session.teacherAction('class:start')}
          >
            Start class
          </Button>
        )}
        {isTeacher && state.live && (
          <Button
            variant="outlined"
            color="error"
            data-testid="end-class"
            onClick={() => void session.teacherAction('class:end')}
          >
            End class for everyone
          </Button>
        )}
      </Stack>
      {!isTeacher && !state.live && state.status === 'joined' && (
        <Alert severity="info">
          The teacher has not started the class yet. You can already see and hear who is here.
        </Alert>
      )}
      {state.error && <Alert severity="error">{state.error}</Alert>}
      {deviceError && <Alert severity="warning">{deviceError}</Alert>}
      <LiveNotices notices={classroom.notices} store={session.classroom} />
      <BreakoutPanel classId={classId} session={session} live={state} isTeacher={isTeacher} />

      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 1fr) 360px' },
          alignItems: 'start',
        }}
      >
        <Stack spacing={2} sx={{ minWidth: 0 }}>
          {screens.length > 0 && (
            <Paper sx={{ overflow: 'hidden', bgcolor: '#000' }} data-testid="screen-stage">
              <Box sx={{ aspectRatio: '16 / 9' }}>
                <TrackVideo
                  track={screens[0]!.t.track}
                  onWidth={(w) => onWidth(screens[0]!.t.consumerId, w)}
                  testId="screen-video"
                />
              </Box>
              <Typography variant="caption" sx={{ color: 'grey.300', px: 1 }}>
                {screens[0]!.peer.info.name} is sharing their screen
              </Typography>
            </Paper>
          )}

          <Box
            sx={{
              display: 'grid',
              gap: 1,
              gridTemplateColumns: screens.length
                ? 'repeat(auto-fill, minmax(180px, 1fr))'
                : 'repeat(auto-fill, minmax(280px, 1fr))',
            }}
          >
            {teacherFirst.map((p, i) => (
              <Box
                key={p.info.peerId}
                sx={
                  i === 0 && p.info.role === 'teacher' && !screens.length
                    ? { gridColumn: 'span 2', gridRow: 'span 2' }
                    : {}
                }
              >
                <PeerTile
                  peer={p}
                  state={state}
                  onWidth={onWidth}
                  isTeacher={isTeacher}
                  session={session}
                />
              </Box>
            ))}
            <LiveTile
              testId="tile-self"
              name="You"
              role={state.role ?? 'student'}
              video={state.local.camera && camOn ? { track: state.local.camera } : null}
              audioMuted={!micOn}
              speaking={state.activeSpeaker === state.peerId}
              handRaised={state.handRaised}
              quality={state.sendQuality}
              mirror
            />
          </Box>
        </Stack>
        <ClassroomSidebar
          session={session}
          state={state}
          classroom={classroom}
          myUserId={user?.id ?? null}
        />
      </Box>
      {state.peers.flatMap((p) =>
        p.tracks
          .filter((t) => t.kind === 'audio')
          .map((t) => <TrackAudio key={t.consumerId} track={t.track} />),
      )}

      <Paper
        sx={{
          p: 1,
          display: 'flex',
          justifyContent: 'center',
          gap: 1,
          position: 'sticky',
          bottom: 8,
        }}
      >
        <Tooltip title={micOn ? 'Mute microphone' : 'Unmute microphone'}>
          <span>
            <IconButton
              data-testid="toggle-mic"
              color={micOn ? 'primary' : 'default'}
              disabled={!state.local.mic}
              onClick={() => void session.setPaused('mic', micOn)}
            >
              {micOn ? <MicIcon /> : <MicOffIcon />}
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title={camOn ? 'Turn camera off' : 'Turn camera on'}>
          <IconButton
            data-testid="toggle-camera"
            color={camOn ? 'primary' : 'default'}
            onClick={() => void toggleCamera()}
          >
            {camOn ? <VideocamIcon /> : <VideocamOffIcon />}
          </IconButton>
        </Tooltip>
        <Tooltip title={state.local.screen ? 'Stop sharing' : 'Share your screen'}>
          <span>
            <IconButton
              data-testid="toggle-screen"
              color={state.local.screen ? 'primary' : 'default'}
              disabled={!state.local.screen && !mayShareScreen}
              onClick={() => void toggleScreen()}
            >
              {state.local.screen ? <StopScreenShareIcon /> : <PresentToAllIcon />}
            </IconButton>
          </span>
        </Tooltip>
        {!isTeacher && (
          <Tooltip title={state.handRaised ? 'Lower your hand' : 'Raise your hand'}>
            <IconButton
              data-testid="toggle-hand"
              color={state.handRaised ? 'warning' : 'default'}
              onClick={() => void session.setHand(!state.handRaised)}
            >
              <PanToolIcon />
            </IconButton>
          </Tooltip>
        )}
        <Button
          color="error"
          variant="contained"
          startIcon={<CallEndIcon />}
          data-testid="leave-live"
          onClick={() => void session.leave()}
        >
          Leave
        </Button>
      </Paper>
    </Stack>
  );
}

function PeerTile({
  peer,
  state,
  onWidth,
  isTeacher,
  session,
}: {
  peer: RemotePeer;
  state: LiveSnapshot;
  onWidth: (id: string, w: number) => void;
  isTeacher: boolean;
  session: ReturnType<typeof useLiveSession>['session'];
}) {
  const cam = peer.tracks.find(
    (t) => (t.source === 'camera' || t.source === 'ingest') && t.kind === 'video' && !t.paused,
  );
  const mic = peer.tracks.find((t) => t.source === 'mic');
  return (
    <Box sx={{ position: 'relative' }}>
      <LiveTile
        testId={`tile-${peer.info.name}`}
        name={peer.info.name}
        role={peer.info.role}
        video={cam ? { track: cam.track, consumerId: cam.consumerId } : null}
        audioMuted={!mic || mic.paused}
        speaking={state.activeSpeaker === peer.info.peerId}
        handRaised={peer.info.handRaised}
        quality={peer.quality}
        onWidth={onWidth}
      />
      {isTeacher && peer.info.role === 'student' && (
        <Stack direction="row" spacing={0.5} sx={{ position: 'absolute', top: 4, right: 4 }}>
          <Button
            size="small"
            variant="contained"
            color="inherit"
            aria-label={`Mute ${peer.info.name}`}
            onClick={() => void session.teacherAction('moderation:mute', peer.info.peerId)}
          >
            Mute
          </Button>
          <Button
            size="small"
            variant="contained"
            color="error"
            aria-label={`Remove ${peer.info.name} from the class`}
            onClick={() => void session.teacherAction('moderation:kick', peer.info.peerId)}
          >
            Remove
          </Button>
        </Stack>
      )}
    </Box>
  );
}
