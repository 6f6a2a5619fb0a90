import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Drawer from '@mui/material/Drawer';
import Portal from '@mui/material/Portal';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getClientConfig } from '../api/client-config-api.js';
import { useApi, useSession } from '../auth/session-context.js';
import { BreakoutBanner } from '../breakouts/breakout-banner.js';
import { breakoutTab } from '../breakouts/breakout-tab.js';
import { ClassroomSidebar } from '../classroom/classroom-sidebar.js';
import { LiveNotices } from '../classroom/live-notices.js';
import { useClassroom } from '../classroom/use-classroom.js';
import { WaitingScreen } from '../classroom/waiting-screen.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ControlBar } from './control-bar.js';
import type { LiveSession, LiveSnapshot, RemotePeer } from './live-session.js';
import { describeMediaError, openCamera, openScreen } from './media-devices.js';
import { micsPlayed } from './mics-played.js';
import { ParticipantTiles } from './participant-tiles.js';
import { RecordingControl } from './recording-control.js';
import type { RoomCommand } from './room-shortcuts.js';
import type { RoomControl, RoomTab } from './room-slots.js';
import { ShortcutsDialog } from './shortcuts-dialog.js';
import type { SpeakerStore } from './speaker-store.js';
import { StageArea } from './stage-area.js';
import { StageBar } from './stage-bar.js';
import { followsBoard, stageSource } from './stage-follow.js';
import { TrackAudio } from './track-video.js';
import { useLiveSession } from './use-live-session.js';
import { useRecentSpeakers } from './use-speakers.js';
import { useRoomShortcuts } from './use-room-shortcuts.js';
import { useStage } from './use-stage.js';
import { useResource } from '../lib/use-resource.js';

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

/**
 * The microphones this page plays; apart from the room, as the recent speakers change with
 * every speaker switch.
 */
function PlayedMics(p: { peers: readonly RemotePeer[]; speakers: SpeakerStore; limit: number }) {
  const played = micsPlayed(p.peers, useRecentSpeakers(p.speakers), p.limit);
  return p.peers.flatMap((peer) =>
    peer.tracks
      .filter((t) => t.kind === 'audio' && played.has(t.consumerId))
      .map((t) => <TrackAudio key={t.consumerId} track={t.track} />),
  );
}

/**
 * The live class as a stage filling the window: a top bar, the stage (what is presented, a
 * screen, the broadcast or a person) with the participants beside it (under it on phones), the
 * side panel (chat, people, polls... as tabs; a drawer on phones) and the control bar.
 */
export function LiveRoomView({
  session: opened,
  title,
  onExit,
}: {
  /** Opened (and joining) on the click on "Join". */
  session: LiveSession;
  title: string;
  onExit: () => void;
}) {
  const { user } = useSession();
  const api = useApi();
  const clientConfig = useResource('client-config', () => getClientConfig(api));
  const { session, state } = useLiveSession(opened);
  const classId = session.classId;
  const classroom = useClassroom(session.classroom);
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const stage = useStage(session, setDeviceError);
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'));
  const [panelOpen, setPanelOpen] = useState<boolean | null>(null);
  const [view, setView] = useState<'speaker' | 'gallery'>('speaker');
  const [pinned, setPinned] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [facing, setFacing] = useState<'user' | 'environment'>('user');
  const rootRef = useRef<HTMLDivElement>(null);
  const onWidth = useCallback(
    (id: string, w: number | null, view: string) => session.setTileWidth(id, view, w),
    [session],
  );
  const onVisible = useCallback((ids: string[]) => session.setVisibleTiles(ids), [session]);
  // Stable, so the tiles (memoized) do not render again with every snapshot.
  const { allowPresenter } = stage;
  const allowedUserId = stage.stage.allowedUserId;
  const isTeacherRole = state.role === 'teacher';
  const presenterControl = useMemo(
    () =>
      isTeacherRole
        ? { allowedUserId, allow: (id: string | null) => void allowPresenter(id) }
        : null,
    [isTeacherRole, allowedUserId, allowPresenter],
  );
  useEffect(() => {
    // Speaker view: the pinned peer is on stage, the rest is last-N's choice.
    if (view === 'speaker') session.setVisibleTiles(pinned ? [pinned] : []);
  }, [session, view, pinned, state.status]);
  // Open beside the stage on wide screens; a drawer the user opens on phones.
  const showPanel = panelOpen ?? wide;

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const isTeacher = state.role === 'teacher';
  const camOn = !!state.local.camera && !state.localPaused.camera;
  const micOn = !!state.local.mic && !state.localPaused.mic;
  const mayShareScreen = isTeacher || (state.live && classroom.settings.studentsMayShareScreen);
  const myUserId = user?.id ?? state.self?.userId ?? null;
  const hasTrack = (source: string) =>
    state.peers.some((p) => p.tracks.some((t) => t.source === source && t.kind === 'video'));
  const inputs = {
    follow: stage.follow,
    stage: stage.stage,
    myUserId,
    hasScreen: hasTrack('screen'),
    hasBroadcast: hasTrack('ingest'),
    pinned: pinned !== null && state.peers.some((p) => p.info.peerId === pinned),
  };
  const source = stageSource(inputs);
  const presentingBoard =
    stage.stage.content === 'board' && stage.stage.presenter?.userId === myUserId;
  const mayPresent = isTeacher || (!!myUserId && stage.stage.allowedUserId === myUserId);
  // Phones that report several cameras (front and back) get a switch.
  const [cameraCount, setCameraCount] = useState(0);
  useEffect(() => {
    void navigator.mediaDevices
      ?.enumerateDevices()
      .then((d) => setCameraCount(d.filter((x) => x.kind === 'videoinput').length))
      .catch(() => undefined);
  }, []);

  const toggleCamera = async () => {
    setDeviceError(null);
    if (state.local.camera) return session.setPaused('camera', camOn);
    try {
      await session.setSource('camera', await openCamera(null, facing));
    } catch (err) {
      setDeviceError(describeMediaError(err, 'camera'));
    }
  };
  const switchCamera = async () => {
    setDeviceError(null);
    const next = facing === 'user' ? 'environment' : 'user';
    // Many phones open one camera at a time: let the old one go first.
    state.local.camera?.stop();
    try {
      await session.setSource('camera', await openCamera(null, next));
      setFacing(next);
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
  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void rootRef.current?.requestFullscreen().catch(() => undefined);
  };
  const run = (command: RoomCommand) => {
    if (state.status !== 'joined' && command !== 'help') return;
    if (command === 'mic' && state.local.mic) void session.setPaused('mic', micOn);
    if (command === 'camera') void toggleCamera();
    if (command === 'hand' && !isTeacher) void session.setHand(!state.handRaised);
    if (command === 'leave') setConfirmLeave(true);
    if (command === 'help') setHelp(true);
    if (command === 'fullscreen') toggleFullscreen();
    if (command === 'panel') setPanelOpen(!showPanel);
  };
  useRoomShortcuts(run);

  // --- Places for other features (see room-slots.ts): add entries here, not layout. ---
  const roomTabs: RoomTab[] = [breakoutTab(session, state)];
  const roomControls: RoomControl[] = [
    {
      id: 'recording',
      element: (
        <RecordingControl
          signaling={session.signaling}
          isTeacher={isTeacher}
          onError={setDeviceError}
        />
      ),
    },
  ];

  const ended = endMessages[state.status];
  const overlay = !ended && state.status !== 'waiting';
  useEffect(() => {
    // The room covers the page: what is behind it must not take focus or reach screen readers.
    const page = document.getElementById('root');
    if (!overlay || !page) return;
    page.inert = true;
    // Keyboard users start at the top of the room: the next Tab reaches the skip link.
    rootRef.current?.focus();
    return () => {
      page.inert = false;
    };
  }, [overlay]);

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

  const sidebar = (
    <ClassroomSidebar
      session={session}
      state={state}
      classroom={classroom}
      myUserId={user?.id ?? null}
      extraTabs={roomTabs.filter((t) => isTeacher || !t.teacherOnly)}
    />
  );
  const tiles = (layout: 'column' | 'row' | 'grid') => (
    <ParticipantTiles
      state={state}
      speakers={session.speakers}
      qualities={session.qualities}
      layout={layout}
      pinned={pinned}
      onPin={setPinned}
      onWidth={onWidth}
      onVisible={layout === 'grid' ? onVisible : undefined}
      presenterControl={presenterControl}
    />
  );

  return (
    <Portal>
      <Box
        ref={rootRef}
        data-testid="live-room"
        data-status={state.status}
        data-view={view}
        tabIndex={-1}
        sx={{
          outline: 'none',
          position: 'fixed',
          inset: 0,
          zIndex: theme.zIndex.appBar + 1,
          bgcolor: 'background.default',
          display: 'flex',
          flexDirection: 'column',
          overflow: 'hidden',
        }}
      >
        <Box
          component="header"
          sx={{
            display: 'flex',
            alignItems: 'center',
            gap: 1,
            px: 1,
            py: 0.5,
            flexWrap: 'wrap',
            minWidth: 0,
          }}
        >
          <Button
            href="#class-controls"
            size="small"
            data-testid="skip-to-controls"
            onClick={(e) => {
              e.preventDefault();
              document
                .querySelector<HTMLElement>('#class-controls button:not([disabled])')
                ?.focus();
            }}
            sx={{
              position: 'absolute',
              left: -10000,
              '&:focus': { position: 'static' },
            }}
          >
            Skip to the class controls
          </Button>
          <Typography
            variant="subtitle1"
            component="h1"
            noWrap
            sx={{ minWidth: 0, flexShrink: 1, fontWeight: 600 }}
          >
            {title}
          </Typography>
          <Chip
            size="small"
            color={state.live ? 'error' : 'default'}
            label={state.live ? 'Live' : 'Not started'}
            data-testid="live-status"
          />
          {state.status === 'reconnecting' && (
            <Chip size="small" color="warning" label="Reconnecting…" />
          )}
          {state.status === 'connecting' && <Chip size="small" label="Connecting…" />}
          <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
            {state.peers.length + 1} in the class
          </Typography>
          <Box sx={{ flex: 1 }} />
          {isTeacher && !state.live && (
            <Button
              size="small"
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
              size="small"
              variant="outlined"
              color="error"
              data-testid="end-class"
              onClick={() => void session.teacherAction('class:end')}
            >
              End class for everyone
            </Button>
          )}
        </Box>
        <Box sx={{ px: 1, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
          {!isTeacher && !state.live && state.status === 'joined' && (
            <Alert severity="info" sx={{ py: 0 }}>
              The teacher has not started the class yet. You can already see and hear who is here.
            </Alert>
          )}
          {state.error && (
            <Alert severity="error" sx={{ py: 0 }}>
              {state.error}
            </Alert>
          )}
          {deviceError && (
            <Alert severity="warning" sx={{ py: 0 }} onClose={() => setDeviceError(null)}>
              {deviceError}
            </Alert>
          )}
          <LiveNotices notices={classroom.notices} store={session.classroom} />
          {/* In a breakout: its room, clock and board; bounded so the stage keeps its place. */}
          <Box sx={{ maxHeight: '45vh', overflow: 'auto' }}>
            <BreakoutBanner
              classId={classId}
              session={session}
              live={state}
              isTeacher={isTeacher}
            />
          </Box>
        </Box>

        <Box
          component="main"
          sx={{
            flex: 1,
            minHeight: 0,
            display: 'flex',
            flexDirection: { xs: 'column', md: 'row' },
            gap: 1,
            p: 1,
          }}
        >
          <Box
            sx={{
              flex: 1,
              minWidth: 0,
              minHeight: 0,
              display: view === 'speaker' ? 'flex' : 'none',
              flexDirection: 'column',
              gap: 1,
            }}
          >
            <StageBar
              stage={stage.stage}
              follow={stage.follow}
              dispatch={stage.dispatch}
              source={source}
              myUserId={myUserId}
              mayPresent={mayPresent}
              present={(c) => void stage.present(c)}
            />
            <StageArea
              classId={classId}
              isTeacher={isTeacher}
              source={source}
              state={state}
              pinned={pinned}
              speakers={session.speakers}
              qualities={session.qualities}
              presentingBoard={presentingBoard}
              visible={view === 'speaker'}
              followView={followsBoard(inputs) ? stage.stage.view : null}
              onView={stage.sendView}
              onWidth={onWidth}
            />
          </Box>
          {view === 'speaker' ? tiles(wide ? 'column' : 'row') : tiles('grid')}
          {wide && showPanel && (
            <Box component="aside" sx={{ width: 360, flexShrink: 0, minHeight: 0 }}>
              {sidebar}
            </Box>
          )}
        </Box>

        <PlayedMics
          peers={state.peers}
          speakers={session.speakers}
          limit={clientConfig.data?.liveMicsPlayed ?? 0}
        />

        <ControlBar
          micOn={micOn}
          hasMic={!!state.local.mic}
          camOn={camOn}
          sharing={!!state.local.screen}
          mayShareScreen={mayShareScreen}
          handRaised={isTeacher ? null : state.handRaised}
          view={view}
          panelOpen={showPanel}
          fullscreen={fullscreen}
          canSwitchCamera={cameraCount > 1 && !wide}
          onMic={() => void session.setPaused('mic', micOn)}
          onCamera={() => void toggleCamera()}
          onSwitchCamera={() => void switchCamera()}
          onScreen={() => void toggleScreen()}
          onHand={() => void session.setHand(!state.handRaised)}
          onView={() => setView(view === 'speaker' ? 'gallery' : 'speaker')}
          onPanel={() => setPanelOpen(!showPanel)}
          onFullscreen={toggleFullscreen}
          onHelp={() => setHelp(true)}
          onLeave={() => void session.leave()}
          extra={roomControls.filter((c) => isTeacher || !c.teacherOnly)}
        />

        {!wide && (
          <Drawer
            anchor="bottom"
            open={showPanel}
            onClose={() => setPanelOpen(false)}
            container={rootRef.current}
            slotProps={{
              paper: { sx: { height: '70dvh' }, 'data-testid': 'side-drawer' } as object,
            }}
          >
            {sidebar}
          </Drawer>
        )}
        <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
        <ConfirmDialog
          open={confirmLeave}
          title="Leave the class?"
          confirmLabel="Leave"
          destructive
          onClose={() => setConfirmLeave(false)}
          onConfirm={() => session.leave()}
        >
          You can join again from the class page.
        </ConfirmDialog>
      </Box>
    </Portal>
  );
}
